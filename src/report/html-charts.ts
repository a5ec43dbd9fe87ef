import type { PhaseResult, Results } from '../model/results.js';
import { MetricHistogram } from '../stats/histogram.js';
import { fmt } from './console.js';

/**
 * ECharts options for the HTML report, built from what a results file holds: HDR histograms,
 * percentiles and per-second series, never per-request data, so a page for a million-request
 * run is as light as one for a hundred. Options are plain JSON (no formatter functions) so
 * they can be embedded in the page as data.
 */

/** One phase drawn on a chart: a load point of a run ("concurrency=8", or "after · concurrency=8" when runs are overlaid). */
export interface ChartSource {
  name: string;
  phase: PhaseResult;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** One line under the title saying how to read the chart. */
  note?: string;
  option: Record<string, unknown>;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const BINS = 40;

const base = (extra: Record<string, unknown>): Record<string, unknown> => ({
  animation: false,
  color: PALETTE,
  grid: { left: 56, right: 20, top: 36, bottom: 44, containLabel: false },
  tooltip: { trigger: 'axis' },
  legend: { top: 4, type: 'scroll' },
  ...extra,
});

/** A histogram of one metric, one series per source, on shared linear bins from the lowest min to the highest p99.9. */
export function histogramChart(id: string, metric: string, sources: ChartSource[]): ChartSpec | undefined {
  const present = sources.filter((s) => (s.phase.metrics[metric]?.summary.count ?? 0) > 0);
  if (!present.length) return undefined;
  const unit = present[0]!.phase.metrics[metric]!.unit;
  const lo = Math.min(...present.map((s) => s.phase.metrics[metric]!.summary.min));
  let hi = Math.max(...present.map((s) => s.phase.metrics[metric]!.summary.p999));
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / BINS;
  const labels = Array.from({ length: BINS }, (_, i) => fmt(lo + i * width));
  labels[BINS - 1] = `≥${labels[BINS - 1]}`;
  const series = present.map((s) => {
    const m = s.phase.metrics[metric]!;
    const counts = new Array<number>(BINS).fill(0);
    for (const b of MetricHistogram.decode(m.histogram, m.scale).buckets()) {
      counts[Math.min(BINS - 1, Math.max(0, Math.floor((b.value - lo) / width)))]! += b.count;
    }
    return { name: s.name, type: 'bar', data: counts, barGap: '0%', barCategoryGap: '5%', itemStyle: { opacity: present.length > 1 ? 0.75 : 1 } };
  });
  return {
    id,
    title: `${metric} histogram (${unit})`,
    note: `${present.map((s) => s.phase.metrics[metric]!.summary.count).reduce((a, b) => a + b, 0)} values in ${BINS} bins; the last bin holds everything above p99.9`,
    option: base({
      xAxis: { type: 'category', data: labels, name: unit, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'requests', minInterval: 1 },
      series,
    }),
  };
}

/** Box plots of several metrics' distributions: box p25–p75, line at the median, whiskers at min and p99. */
export function boxPlotChart(id: string, metric: string, sources: ChartSource[]): ChartSpec | undefined {
  const present = sources.filter((s) => (s.phase.metrics[metric]?.summary.count ?? 0) > 0);
  if (!present.length) return undefined;
  const unit = present[0]!.phase.metrics[metric]!.unit;
  const data = present.map((s) => {
    const m = s.phase.metrics[metric]!;
    const h = MetricHistogram.decode(m.histogram, m.scale);
    return [m.summary.min, h.percentile(25), m.summary.p50, h.percentile(75), m.summary.p99];
  });
  return {
    id,
    title: `${metric} box plot (${unit})`,
    note: 'box: p25–p75, line: median, whiskers: min and p99',
    option: base({
      tooltip: { trigger: 'item' },
      legend: { show: false },
      xAxis: { type: 'category', data: present.map((s) => s.name) },
      yAxis: { type: 'value', name: unit, scale: true },
      series: [{ name: metric, type: 'boxplot', data, itemStyle: { color: '#bfdbfe', borderColor: PALETTE[0] } }],
    }),
  };
}

/** Requests by HTTP status (or gRPC code) and by outcome, side by side per source. */
export function countsChart(id: string, kind: 'status' | 'outcome', sources: ChartSource[]): ChartSpec | undefined {
  const keyed = sources.map((s) => ({ name: s.name, counts: kind === 'status' ? s.phase.counts.byStatus : (s.phase.counts.byOutcome as Record<string, number>) }));
  const keys = [...new Set(keyed.flatMap((k) => Object.entries(k.counts).filter(([, n]) => n > 0).map(([key]) => key)))].sort();
  if (!keys.length) return undefined;
  return {
    id,
    title: kind === 'status' ? 'Status code distribution' : 'Outcome distribution',
    note: kind === 'status' ? 'requests by HTTP status or gRPC code; requests that got no status are in the outcome chart' : 'ok, http_error, protocol_error, timeout, connection_error, aborted',
    option: base({
      xAxis: { type: 'category', data: keys },
      yAxis: { type: 'value', name: 'requests', minInterval: 1 },
      series: keyed.map((k) => ({ name: k.name, type: 'bar', data: keys.map((key) => k.counts[key] ?? 0), label: { show: true, position: 'top' } })),
    }),
  };
}

type SeriesPick = { label: string; of: (p: PhaseResult) => (number | null)[] };

/** Per-second series (index 0 = the phase's first second), one line per source and pick. */
export function perSecondChart(id: string, title: string, yName: string, picks: SeriesPick[], sources: ChartSource[], note?: string): ChartSpec | undefined {
  const series = sources.flatMap((s) =>
    picks.map((pick) => ({
      name: sources.length > 1 ? `${s.name} ${pick.label}` : pick.label,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      data: pick.of(s.phase).map((v, i) => [i, v]),
    })),
  );
  if (!series.length || !series.some((s) => s.data.length > 0)) return undefined;
  return {
    id,
    title,
    note,
    option: base({
      xAxis: { type: 'value', name: 'second of the run', nameLocation: 'middle', nameGap: 28, minInterval: 1 },
      yAxis: { type: 'value', name: yName },
      series,
    }),
  };
}

/** The sources that have a family's per-second series (a TTS run draws no token chart). */
function withSeries(sources: ChartSource[], name: 'outputTokens' | 'frames' | 'audioSeconds'): ChartSource[] {
  return sources.filter((s) => s.phase.series[name] !== undefined);
}

/** The per-second charts of the report. */
export function perSecondCharts(sources: ChartSource[]): ChartSpec[] {
  return [
    perSecondChart(
      'latency-over-time',
      'Latency percentiles per second (ms)',
      'ms',
      [
        { label: 'p50', of: (p) => p.series.latencyP50 },
        { label: 'p99', of: (p) => p.series.latencyP99 },
      ],
      sources,
      'of requests that ended in that second; gaps where none ended',
    ),
    perSecondChart(
      'throughput-over-time',
      'Requests per second',
      'requests/s',
      [
        { label: 'sent', of: (p) => p.series.sent },
        { label: 'ok', of: (p) => p.series.ok },
      ],
      sources,
    ),
    perSecondChart('tokens-over-time', 'Output tokens per second', 'tokens/s', [{ label: 'output tokens', of: (p) => p.series.outputTokens ?? [] }], withSeries(sources, 'outputTokens'), 'each token placed in the second it arrived'),
    perSecondChart('frames-over-time', 'Frames per second', 'frames/s', [{ label: 'frames', of: (p) => p.series.frames ?? [] }], withSeries(sources, 'frames'), 'each frame placed in the second its answer arrived'),
    perSecondChart('audio-over-time', 'Audio received per second', 'audio s/s', [{ label: 'audio seconds', of: (p) => p.series.audioSeconds ?? [] }], withSeries(sources, 'audioSeconds'), 'seconds of audio placed in the second they arrived'),
    perSecondChart('in-flight-over-time', 'Requests in flight (max per second)', 'requests', [{ label: 'in flight', of: (p) => p.series.inFlightMax }], sources),
    perSecondChart('errors-over-time', 'Errors per second', 'errors/s', [{ label: 'errors', of: (p) => p.series.errors }], sources),
  ].filter((c): c is ChartSpec => c !== undefined);
}

/** For sweeps: one curve per metric across the load points, one line per run. */
export function sweepCharts(runs: { name: string; results: Results }[]): ChartSpec[] {
  const swept = runs.filter((r) => r.results.points.length > 1);
  if (!swept.length) return [];
  const labels = [...new Set(swept.flatMap((r) => r.results.points.map((p) => p.label)))];
  const curves: { id: string; title: string; yName: string; of: (p: PhaseResult) => number | null }[] = [
    { id: 'sweep-latency-p50', title: 'latency p50 across load points', yName: 'ms', of: (p) => p.metrics.latency?.summary.p50 ?? null },
    { id: 'sweep-latency-p95', title: 'latency p95 across load points', yName: 'ms', of: (p) => p.metrics.latency?.summary.p95 ?? null },
    { id: 'sweep-frame-latency-p50', title: 'frame latency p50 across load points', yName: 'ms', of: (p) => p.metrics.frame_latency?.summary.p50 ?? null },
    { id: 'sweep-ttfc-p50', title: 'ttfc p50 across load points', yName: 'ms', of: (p) => p.metrics.ttfc?.summary.p50 ?? null },
    { id: 'sweep-ttft-p50', title: 'ttft p50 across load points', yName: 'ms', of: (p) => p.metrics.ttft?.summary.p50 ?? null },
    { id: 'sweep-ttft-p95', title: 'ttft p95 across load points', yName: 'ms', of: (p) => p.metrics.ttft?.summary.p95 ?? null },
    { id: 'sweep-itl-p50', title: 'itl p50 across load points', yName: 'ms', of: (p) => p.metrics.itl?.summary.p50 ?? null },
    { id: 'sweep-throughput', title: 'throughput across load points', yName: 'requests/s', of: (p) => p.throughput.requestsPerSecond },
    { id: 'sweep-fps', title: 'FPS across load points', yName: 'frames/s', of: (p) => p.throughput.framesPerSecond ?? null },
    { id: 'sweep-token-throughput', title: 'output token throughput across load points', yName: 'tokens/s', of: (p) => p.throughput.outputTokensPerSecond ?? null },
    { id: 'sweep-error-rate', title: 'error rate across load points', yName: '%', of: (p) => (p.counts.sent ? (100 * p.counts.failed) / p.counts.sent : null) },
  ];
  return curves
    .map((c) => {
      const series = swept.map((r) => ({
        name: r.name,
        type: 'line',
        data: labels.map((l) => {
          const point = r.results.points.find((p) => p.label === l);
          return point ? c.of(point.measure) : null;
        }),
      }));
      if (!series.some((s) => s.data.some((v) => v !== null))) return undefined;
      return {
        id: c.id,
        title: c.title,
        option: base({ xAxis: { type: 'category', data: labels }, yAxis: { type: 'value', name: c.yName }, series }),
      } satisfies ChartSpec;
    })
    .filter((c): c is NonNullable<typeof c> => c !== undefined);
}

import type { PhaseResult } from '../model/results.js';
import { PALETTE, type ChartSource, type ChartSpec } from './chart-spec.js';

/**
 * Charts over the time of a phase. Phases up to 5 s use their 100 ms series (a one-second run
 * has a shape, not one dot); longer ones their per-second series. One load point overlays its
 * runs in one chart; a sweep gets small multiples, one chart per load point, so no chart
 * carries forty lines.
 */

interface TimeSeries {
  /** Bucket start, seconds since the phase began. */
  x: number[];
  bucketS: number;
  sent: number[];
  ok: number[];
  errors: number[];
  latencyP50?: (number | null)[];
  latencyP99?: (number | null)[];
  /** The family's output per bucket (tokens, frames, audio seconds), with its unit per second. */
  output?: { values: number[]; unit: string; label: string; placed: string };
  inFlightMax?: number[];
  /** Text: percentiles of the first tokens and of the gaps that arrived in each second. */
  ttftP50?: (number | null)[];
  ttftP99?: (number | null)[];
  itlP50?: (number | null)[];
  itlP99?: (number | null)[];
}

/**
 * `output`: the family's output chart, which falls back to per-second when the short series has
 * no such output (frames, audio); `per-second`: series only the per-second record has (ttft, itl).
 */
type Use = 'counts' | 'output' | 'per-second';
function timeSeriesOf(p: PhaseResult, use: Use = 'counts'): TimeSeries {
  const fine = p.subSecond;
  if (fine && fine.sent.length > 1 && use !== 'per-second' && (use === 'counts' || fine.outputTokens)) {
    const bucketS = fine.bucketMs / 1000;
    return {
      x: fine.sent.map((_, i) => +(i * bucketS).toFixed(3)),
      bucketS,
      sent: fine.sent,
      ok: fine.ok,
      errors: fine.errors,
      latencyP50: fine.latencyP50,
      latencyP99: fine.latencyP99,
      output: fine.outputTokens ? { values: fine.outputTokens, unit: 'tokens/s', label: 'output tokens', placed: "each request's tokens in the bucket it ended in" } : undefined,
    };
  }
  const s = p.series;
  const output = s.outputTokens
    ? { values: s.outputTokens, unit: 'tokens/s', label: 'output tokens', placed: 'placed by when they arrived' }
    : s.frames
      ? { values: s.frames, unit: 'frames/s', label: 'frames', placed: 'placed by when their answers arrived' }
      : s.audioSeconds
        ? { values: s.audioSeconds, unit: 'audio s/s', label: 'audio seconds', placed: 'placed by when they arrived' }
        : undefined;
  return {
    x: s.sent.map((_, i) => i),
    bucketS: 1,
    sent: s.sent,
    ok: s.ok,
    errors: s.errors,
    latencyP50: s.latencyP50,
    latencyP99: s.latencyP99,
    output,
    inFlightMax: s.inFlightMax,
    ttftP50: s.ttftP50,
    ttftP99: s.ttftP99,
    itlP50: s.itlP50,
    itlP99: s.itlP99,
  };
}

/** Every source's buckets on one shared x axis (bucket starts); sources of another resolution are resampled by nearest bucket start. */
function aligned(sources: ChartSource[], use: Use): { x: number[]; each: TimeSeries[]; bucketS: number } {
  const each = sources.map((s) => timeSeriesOf(s.phase, use));
  const bucketS = Math.min(...each.map((t) => t.bucketS));
  const length = Math.max(...each.map((t) => Math.round((t.x.length * t.bucketS) / bucketS)));
  const x = Array.from({ length }, (_, i) => +(i * bucketS).toFixed(3));
  return { x, each, bucketS };
}

function at<T>(t: TimeSeries, values: T[] | undefined, x: number): T | null {
  if (!values) return null;
  const i = Math.floor(x / t.bucketS + 1e-9);
  // A coarser source has a value only at its own bucket starts.
  if (Math.abs(i * t.bucketS - x) > 1e-6) return null;
  return values[i] ?? null;
}

type Pick = { label: string; of: (t: TimeSeries) => (number | null)[] | undefined; perSecond?: boolean; dash?: boolean; /** Join across buckets where nothing ended. */ join?: boolean };

function chart(id: string, title: string, yLabel: string, picks: Pick[], sources: ChartSource[], note: string | undefined, height?: number, use: Use = 'counts'): ChartSpec | undefined {
  const { x, each, bucketS } = aligned(sources, use);
  if (x.length === 0) return undefined;
  // Several runs: a colour per run, the statistic told by the dash (and "sent" left out, or six lines cross).
  const overlaid = sources.length > 1;
  const shownPicks = overlaid && picks.length > 2 ? picks.filter((p) => p.label !== 'sent') : picks;
  const series = sources.flatMap((s, si) =>
    shownPicks
      .filter((pick) => pick.of(each[si]!) !== undefined)
      .map((pick, pi) => {
        const t = each[si]!;
        const values = x.map((v) => {
          const raw = at(t, pick.of(t)!, v);
          return raw === null ? null : pick.perSecond ? raw / t.bucketS : raw;
        });
        return overlaid ? { name: `${s.run} ${pick.label}`, values, color: PALETTE[si % PALETTE.length], dash: pi > 0 } : { name: pick.label, values, dash: pick.dash };
      }),
  );
  if (!series.length || !series.some((s) => s.values.some((v) => v !== null && v !== 0))) return undefined;
  const resolution = bucketS < 1 ? `${bucketS * 1000} ms buckets (a short phase)` : 'per second';
  return {
    id,
    title,
    note: [note, resolution].filter(Boolean).join('; '),
    x: { label: 'seconds since the phase began', values: x },
    y: { label: yLabel },
    series,
    // Runs of different resolutions (a short and a long one) have values at different x.
    spanGaps: picks.some((p) => p.join) || new Set(each.map((t) => t.bucketS)).size > 1,
    height,
  };
}

const SHORT_LABELS = { latency: 'latency (ms)' };
const LATENCY: Pick[] = [
  { label: 'p50', of: (t) => t.latencyP50, join: true },
  { label: 'p99', of: (t) => t.latencyP99, dash: true, join: true },
];
const REQUESTS: Pick[] = [
  { label: 'sent', of: (t) => t.sent, perSecond: true, dash: true },
  { label: 'ok', of: (t) => t.ok, perSecond: true },
  { label: 'errors', of: (t) => t.errors, perSecond: true },
];

/** The over-time charts of one load point (its runs overlaid). */
export function overTimeCharts(sources: ChartSource[], idPrefix = '', height?: number): ChartSpec[] {
  const output = sources.map((s) => timeSeriesOf(s.phase, 'output').output).find(Boolean);
  const outputId = output?.unit === 'frames/s' ? 'frames' : output?.unit === 'audio s/s' ? 'audio' : 'tokens';
  return [
    chart(`${idPrefix}latency-over-time`, 'Latency over time (ms)', SHORT_LABELS.latency, LATENCY, sources, 'p50 and p99 of the ok requests that ended in each bucket; lines join buckets where none ended', height),
    chart(`${idPrefix}ttft-over-time`, 'TTFT over time (ms)', 'ttft (ms)', [{ label: 'p50', of: (t) => t.ttftP50, join: true }, { label: 'p99', of: (t) => t.ttftP99, dash: true, join: true }], sources, 'p50 and p99 of the first tokens that arrived in each second', height, 'per-second'),
    chart(`${idPrefix}itl-over-time`, 'ITL over time (ms)', 'itl (ms)', [{ label: 'p50', of: (t) => t.itlP50, join: true }, { label: 'p99', of: (t) => t.itlP99, dash: true, join: true }], sources, 'p50 and p99 of the gaps whose later token arrived in each second', height, 'per-second'),
    chart(`${idPrefix}requests-over-time`, 'Requests per second', 'requests/s', REQUESTS, sources, undefined, height),
    output
      ? chart(`${idPrefix}${outputId}-over-time`, `${output.label[0]!.toUpperCase()}${output.label.slice(1)} per second`, output.unit, [{ label: output.label, of: (t) => t.output?.values, perSecond: true }], sources, output.placed, height, 'output')
      : undefined,
    chart(`${idPrefix}in-flight-over-time`, 'Requests in flight (most per second)', 'requests in flight', [{ label: 'in flight', of: (t) => t.inFlightMax }], sources, undefined, height),
  ].filter((c): c is ChartSpec => c !== undefined);
}

const SMALL_HEIGHT = 170;

/** A sweep: for each load point, small latency and request-rate charts (its runs overlaid), titled with the point. */
export function smallMultiples(sources: ChartSource[]): ChartSpec[] {
  const points = [...new Set(sources.map((s) => s.point))];
  return points.flatMap((point, i) => {
    const group = sources.filter((s) => s.point === point);
    return [
      chart(`point-${i}-latency`, `${point}: latency (ms)`, 'latency (ms)', LATENCY, group, group.length > 1 ? 'p50 solid, p99 dashed; a colour per run' : 'p50 solid, p99 dashed', SMALL_HEIGHT),
      chart(`point-${i}-requests`, `${point}: requests/s`, 'requests/s', REQUESTS.slice(1), group, 'ok blue, errors red', SMALL_HEIGHT),
    ]
      .filter((c): c is ChartSpec => c !== undefined)
      .map((c) => ({ ...c, legend: false }));
  });
}

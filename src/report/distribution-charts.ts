import { MetricHistogram } from '../stats/histogram.js';
import { fmt } from './console.js';
import { countedNoun, type ChartSource, type ChartSpec } from './chart-spec.js';

/**
 * Distributions from the results' HDR histograms: a percentile spectrum (the value at each
 * percentile, the tail stretched out) and a histogram on log-spaced bins. Both count every
 * value, the tail included.
 */

/** Spectrum x step in −log10(1 − p): 0.05 gives 20 points per decade (0–90%, 90–99%, ...). */
const SPECTRUM_STEP = 0.05;
/** Up to 99.999%: beyond the values a run has, the spectrum would only repeat its maximum. */
const SPECTRUM_MAX_DECADES = 5;
const BINS = 36;
/** A spread wider than this (max / min, or p99.9 / p50) is drawn on a log axis, so the tail is visible. */
const LOG_SPREAD = 8;

function present(metric: string, sources: ChartSource[]): ChartSource[] {
  return sources.filter((s) => (s.phase.metrics[metric]?.summary.count ?? 0) > 0);
}

/**
 * The value of `metric` at each percentile, one line per source. The x axis is −log10(1 − p),
 * so 90%, 99% and 99.9% are evenly spaced and the tail gets as much room as the body.
 */
export function percentileSpectrumChart(id: string, metric: string, sources: ChartSource[]): ChartSpec | undefined {
  const shown = present(metric, sources);
  if (!shown.length) return undefined;
  const unit = shown[0]!.phase.metrics[metric]!.unit;
  const counts = shown.map((s) => s.phase.metrics[metric]!.summary.count);
  const decades = Math.min(SPECTRUM_MAX_DECADES, Math.log10(Math.max(...counts)));
  const steps = Math.max(1, Math.floor(decades / SPECTRUM_STEP));
  const x = Array.from({ length: steps + 1 }, (_, i) => +(i * SPECTRUM_STEP).toFixed(4));
  const summaries = shown.map((s) => s.phase.metrics[metric]!.summary);
  const lo = Math.min(...summaries.map((s) => s.p50));
  const hi = Math.max(...summaries.map((s) => s.p999));
  const log = lo > 0 && hi / lo > LOG_SPREAD;
  const series = shown.map((s, i) => {
    const m = s.phase.metrics[metric]!;
    const h = MetricHistogram.decode(m.histogram, m.scale);
    const resolved = Math.log10(m.summary.count);
    return {
      name: s.name,
      values: x.map((v) => {
        if (v > resolved + 1e-9) return null;
        const value = h.percentile(100 * (1 - 10 ** -v));
        return log && value <= 0 ? null : value;
      }),
    };
  });
  const noun = countedNoun(metric);
  return {
    id,
    title: `${metric}: value at each percentile (${unit})`,
    note: `percentile of ${noun} on a stretched axis (90%, 99%, 99.9% evenly spaced; 50% is the median)${log ? '; y on a log scale: the tail spans more than 8× the median' : ''}; ${counts.reduce((a, b) => a + b, 0)} ${noun}`,
    x: { label: `percentile of ${noun}`, values: x, ticks: 'percentile' },
    y: { label: `${metric} (${unit})`, scale: log ? 'log' : 'linear' },
    series,
  };
}

/**
 * A histogram on bins shared by every source: log-spaced when the values span more than a few
 * times their smallest (each bin the same ratio wide, so a long tail stays in view), else
 * linear. One source is drawn as bars, several as outlines that do not hide each other.
 */
export function histogramChart(id: string, metric: string, sources: ChartSource[]): ChartSpec | undefined {
  const shown = present(metric, sources);
  if (!shown.length) return undefined;
  const unit = shown[0]!.phase.metrics[metric]!.unit;
  const buckets = shown.map((s) => MetricHistogram.decode(s.phase.metrics[metric]!.histogram, s.phase.metrics[metric]!.scale).buckets());
  const all = buckets.flat();
  const positive = all.filter((b) => b.value > 0).map((b) => b.value);
  const min = Math.min(...all.map((b) => b.value));
  const max = Math.max(...all.map((b) => b.value));
  const lo = positive.length ? Math.min(...positive) : 0;
  const log = lo > 0 && max / lo > LOG_SPREAD;
  let edges: number[];
  if (log) {
    const ratio = (max / lo) ** (1 / BINS);
    edges = Array.from({ length: BINS + 1 }, (_, i) => lo * ratio ** i);
  } else {
    const width = (max - min || 1) / BINS;
    edges = Array.from({ length: BINS + 1 }, (_, i) => min + i * width);
  }
  const binOf = (v: number) => {
    if (v <= edges[0]!) return 0;
    const i = log ? Math.floor(Math.log(v / lo) / Math.log(edges[1]! / lo)) : Math.floor((v - edges[0]!) / (edges[1]! - edges[0]!));
    return Math.min(BINS - 1, Math.max(0, i));
  };
  const centres = edges.slice(0, BINS).map((e, i) => (log ? Math.sqrt(e * edges[i + 1]!) : (e + edges[i + 1]!) / 2));
  const series = shown.map((s, i) => {
    const counts = new Array<number>(BINS).fill(0);
    for (const b of buckets[i]!) counts[binOf(b.value)]! += b.count;
    return { name: s.name, values: counts, kind: shown.length > 1 ? ('step' as const) : ('bars' as const) };
  });
  const noun = countedNoun(metric);
  const total = shown.reduce((n, s) => n + s.phase.metrics[metric]!.summary.count, 0);
  return {
    id,
    title: `${metric} histogram (${unit})`,
    note: `${total} ${noun} in ${BINS} ${log ? 'log-spaced' : 'equal'} bins from ${fmt(log ? lo : min)} to ${fmt(max)} ${unit}, every value counted${log && min <= 0 ? ' (zeros in the first bin)' : ''}`,
    x: { label: `${metric} (${unit})`, values: centres, scale: log ? 'log' : 'linear', range: [edges[0]!, edges[BINS]!] },
    y: { label: noun },
    series,
  };
}

/** Tukey's fences: whiskers reach the furthest values within 1.5 interquartile ranges of the box. */
const WHISKER_IQR = 1.5;

/**
 * A box plot per source on one axis (the notebook's `px.box`): box from p25 to p75, the median
 * across it, whiskers to the furthest values within 1.5 × IQR, and the count beyond them. All
 * from the HDR histogram, so every value is counted (to its 3 significant digits).
 */
export function boxPlotChart(id: string, metric: string, sources: ChartSource[]): ChartSpec | undefined {
  const shown = present(metric, sources);
  if (!shown.length) return undefined;
  const unit = shown[0]!.phase.metrics[metric]!.unit;
  let beyond = 0;
  const boxes = shown.map((s) => {
    const m = s.phase.metrics[metric]!;
    const h = MetricHistogram.decode(m.histogram, m.scale);
    const q1 = h.percentile(25);
    const median = h.percentile(50);
    const q3 = h.percentile(75);
    const lowFence = q1 - WHISKER_IQR * (q3 - q1);
    const highFence = q3 + WHISKER_IQR * (q3 - q1);
    let low = q1;
    let high = q3;
    for (const b of h.buckets()) {
      if (b.value < lowFence || b.value > highFence) beyond += b.count;
      else {
        low = Math.min(low, b.value);
        high = Math.max(high, b.value);
      }
    }
    return [low, q1, median, q3, high] as [number, number, number, number, number];
  });
  const x = shown.map((_, i) => i);
  const noun = countedNoun(metric);
  return {
    id,
    title: `${metric} box plot (${unit})`,
    note: `box p25–p75, line at the median, whiskers to the furthest values within ${WHISKER_IQR} × IQR; ${beyond} of ${shown.reduce((n, s) => n + s.phase.metrics[metric]!.summary.count, 0)} ${noun} beyond the whiskers`,
    x: { label: 'load point', values: x, ticks: 'category', categories: shown.map((s) => s.name) },
    y: { label: `${metric} (${unit})` },
    series: shown.map((s, i) => ({
      name: s.name,
      values: x.map((j) => (j === i ? boxes[i]![2] : null)),
      kind: 'points' as const,
      boxes: x.map((j) => (j === i ? boxes[i]! : null)),
    })),
    legend: false,
  };
}

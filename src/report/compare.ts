import type { MetricUnit, PhaseResult, Results } from '../model/results.js';
import { bootstrapMedianDifference, mannWhitneyU } from '../stats/bootstrap.js';
import { MetricHistogram } from '../stats/histogram.js';
import { samplesFromHistogram } from '../stats/histogram-samples.js';
import { shownIn, type Condition } from '../conditions/condition.js';
import { evaluateOnPhase } from '../conditions/evaluate.js';
import { orderedMetrics } from './family-view.js';

/**
 * Is run B different from run A? For each metric both runs have:
 * the medians, change %, a seeded bootstrap 95% interval of median(B) − median(A), a
 * Mann-Whitney U p-value, and a verdict that says "better" or "worse" only when the interval
 * excludes zero. Samples come from the results' HDR histograms (3 significant digits),
 * subsampled to a fixed size for big runs (stats/histogram-samples.ts).
 */
export type Verdict = 'better' | 'worse' | 'changed' | 'no real change';

export interface ComparisonRow {
  /** What the row compares: "ttft (p50)", "throughput", "p95(ttft)". */
  label: string;
  metric: string;
  unit: MetricUnit | 'fraction' | 'requests/s';
  before: number;
  after: number;
  /** (after − before) / before × 100; NaN when before is 0. */
  changePercent: number;
  /** Bootstrap interval of the change of the median, in the metric's unit. */
  interval?: { low: number; high: number; confidence: number };
  pValue?: number;
  verdict?: Verdict;
  /** The unit values are shown in, when the row's condition was written in one (`error_rate<1%` shows %). */
  shownIn?: string;
  /** Rows made from `--target`: whether before and after meet it. */
  target?: { text: string; before: boolean; after: boolean };
}

export interface PointComparison {
  label: string;
  rows: ComparisonRow[];
}

export interface RunComparison {
  before: RunRef;
  after: RunRef;
  points: PointComparison[];
  /** Points present in only one of the runs (sweeps with different load points). */
  unmatched: string[];
}

export interface RunRef {
  name: string;
  startedAt: string;
  /** File the run was read from, when it was. */
  path?: string;
}

export interface CompareOptions {
  targets?: readonly Condition[];
  /** Bootstrap resamples (default 2000). */
  iterations?: number;
  /** Values per metric and run fed to the tests (default 4000). */
  maxSamples?: number;
  seed?: number;
}

/** Metrics that are neither better high nor low: a change is only "changed". */
const NEUTRAL_UNITS = new Set<string>(['tokens', 'count', 'bytes']);
const HIGHER_IS_BETTER_UNITS = new Set<string>(['tokens/s', 'chars/s', 'requests/s', 'frames/s']);

export function compareRuns(before: Results, after: Results, opts: CompareOptions & { beforePath?: string; afterPath?: string } = {}): RunComparison {
  const pairs: [string, PhaseResult, PhaseResult][] = [];
  const unmatched: string[] = [];
  if (before.points.length === 1 && after.points.length === 1) {
    const a = before.points[0]!;
    const b = after.points[0]!;
    pairs.push([a.label === b.label ? a.label : `${a.label} → ${b.label}`, a.measure, b.measure]);
  } else {
    for (const a of before.points) {
      const b = after.points.find((p) => p.label === a.label);
      if (b) pairs.push([a.label, a.measure, b.measure]);
      else unmatched.push(a.label);
    }
    for (const b of after.points) if (!before.points.some((p) => p.label === b.label)) unmatched.push(b.label);
  }
  return {
    before: { name: before.name, startedAt: before.startedAt, path: opts.beforePath },
    after: { name: after.name, startedAt: after.startedAt, path: opts.afterPath },
    points: pairs.map(([label, a, b]) => ({ label, rows: comparePhases(a, b, opts) })),
    unmatched,
  };
}

export function comparePhases(a: PhaseResult, b: PhaseResult, opts: CompareOptions = {}): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  // Both runs' metrics, in the after run's family order (a family's own metrics lead).
  const names = orderedMetrics(b).filter((n) => a.metrics[n] && a.metrics[n]!.summary.count > 0 && b.metrics[n]!.summary.count > 0);
  for (const name of names) {
    const ma = a.metrics[name]!;
    const mb = b.metrics[name]!;
    const sampleOpts = { maxSamples: opts.maxSamples ?? 4000, seed: opts.seed ?? 1 };
    const xs = samplesFromHistogram(MetricHistogram.decode(ma.histogram, ma.scale), sampleOpts);
    const ys = samplesFromHistogram(MetricHistogram.decode(mb.histogram, mb.scale), sampleOpts);
    const diff = bootstrapMedianDifference(xs, ys, { iterations: opts.iterations ?? 2000, confidence: 0.95, seed: opts.seed ?? 1 });
    const p = mannWhitneyU(xs, ys).pValue;
    rows.push({
      label: `${name} (p50)`,
      metric: name,
      unit: ma.unit,
      before: ma.summary.p50,
      after: mb.summary.p50,
      changePercent: change(ma.summary.p50, mb.summary.p50),
      interval: { low: diff.low, high: diff.high, confidence: diff.confidence },
      pValue: p,
      verdict: verdictOf(diff.low, diff.high, ma.unit),
    });
  }
  // Run-level figures both runs have: each family's own throughput, then the error rate.
  const runLevel: [string, ComparisonRow['unit'], (m: PhaseResult) => number | undefined][] = [
    ['fps', 'frames/s', (m) => m.throughput.framesPerSecond],
    ['throughput', 'requests/s', (m) => m.throughput.requestsPerSecond],
    ['output_token_throughput', 'tokens/s', (m) => m.throughput.outputTokensPerSecond],
    ['input_token_throughput', 'tokens/s', (m) => m.throughput.inputTokensPerSecond ?? 0],
    ['audio_realtime', 'ratio', (m) => m.audio?.audioSecondsPerSecond],
    ['error_rate', 'fraction', (m) => (m.counts.sent ? m.counts.failed / m.counts.sent : 0)],
  ];
  for (const [name, unit, of] of runLevel) {
    const x = of(a);
    const y = of(b);
    if (x === undefined || y === undefined) continue;
    rows.push({ label: name, metric: name, unit, before: x, after: y, changePercent: change(x, y) });
  }
  for (const t of opts.targets ?? []) {
    const x = evaluateOnPhase(t, a);
    const y = evaluateOnPhase(t, b);
    rows.push({
      label: t.subject,
      metric: t.metric,
      unit: t.unit,
      shownIn: shownIn(t),
      before: x.value ?? NaN,
      after: y.value ?? NaN,
      changePercent: change(x.value ?? NaN, y.value ?? NaN),
      target: { text: t.text, before: x.status === 'pass', after: y.status === 'pass' },
    });
  }
  return rows;
}

function change(before: number, after: number): number {
  return before === 0 ? (after === 0 ? 0 : NaN) : ((after - before) / before) * 100;
}

/** "Changed" only when the interval of median(after) − median(before) excludes zero. */
function verdictOf(low: number, high: number, unit: string): Verdict {
  if (low <= 0 && high >= 0) return 'no real change';
  if (NEUTRAL_UNITS.has(unit)) return 'changed';
  const increased = low > 0;
  return increased === HIGHER_IS_BETTER_UNITS.has(unit) ? 'better' : 'worse';
}


/** Every row of every point, for `--fail-on`. */
export function comparisonRows(c: RunComparison): ComparisonRow[] {
  return c.points.flatMap((p) => p.rows);
}

import { metricUnit } from '../model/metrics.js';
import type { MetricUnit, PhaseResult, Results } from '../model/results.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { MetricHistogram } from '../stats/histogram.js';
import { fmt } from '../report/console.js';

/**
 * Pass/fail checks on a run, written as expressions (METRICS.md "Statistics"):
 *   p95(latency) < 500ms   mean(ttft) <= 300ms   error_rate < 1%   rtf < 0.5   throughput > 10
 * A metric with no aggregation (`rtf < 0.5`) is compared by its mean. Run-level quantities:
 * `error_rate` (failed / sent), `throughput` (ok requests/s), `output_token_throughput` (tokens/s),
 * `peak_output_token_throughput`. Every load point of a run must meet every threshold.
 */
export type Comparison = '<' | '<=' | '>' | '>=';

export type Aggregation = { kind: 'percentile'; p: number } | { kind: 'mean' | 'min' | 'max' | 'std' | 'count' };

export interface Threshold {
  /** The expression as written. */
  text: string;
  /** `p95(ttft)` etc.: how the left side is shown in messages. */
  subject: string;
  metric: string;
  /** Absent for run-level quantities (error_rate, throughput). */
  aggregation?: Aggregation;
  op: Comparison;
  /** The bound in the metric's own unit (ms for times, a fraction for rates). */
  value: number;
  unit: MetricUnit | 'fraction' | 'requests/s';
}

/** Quantities of a whole phase rather than per-request metrics. */
const RUN_LEVEL: Record<string, { unit: Threshold['unit']; of: (m: PhaseResult) => number }> = {
  error_rate: { unit: 'fraction', of: (m) => (m.counts.sent ? m.counts.failed / m.counts.sent : NaN) },
  throughput: { unit: 'requests/s', of: (m) => m.throughput.requestsPerSecond },
  request_throughput: { unit: 'requests/s', of: (m) => m.throughput.requestsPerSecond },
  output_token_throughput: { unit: 'tokens/s', of: (m) => m.throughput.outputTokensPerSecond ?? NaN },
  peak_output_token_throughput: { unit: 'tokens/s', of: (m) => m.throughput.peakOutputTokensPerSecond ?? NaN },
};

const EXPRESSION = /^\s*(?:([a-z][a-z0-9.]*)\s*\(\s*([a-z][a-z0-9_]*)\s*\)|([a-z][a-z0-9_]*))\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zµ%/]*(?:\/s)?)\s*$/i;

const TIME_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, us: 0.001, µs: 0.001, m: 60_000, min: 60_000 };
const RATE_UNITS = new Set(['', '/s', 'rps', 'req/s', 'requests/s', 'tok/s', 'tokens/s']);

/** Parses one expression; throws an Error whose message says what is wrong and how to write it. */
export function parseThreshold(text: string): Threshold {
  const m = EXPRESSION.exec(text);
  const example = 'write it like "p95(latency)<500ms", "mean(ttft)<=300ms", "error_rate<1%" or "rtf<0.5"';
  if (!m) throw new Error(`cannot read threshold ${JSON.stringify(text)}; ${example}`);
  const [, aggText, wrappedMetric, bareMetric, op, numberText, unitText = ''] = m;
  const metric = (wrappedMetric ?? bareMetric)!.toLowerCase();
  const number = Number(numberText);
  const unitWritten = unitText.toLowerCase();
  const runLevel = RUN_LEVEL[metric];
  let aggregation: Aggregation | undefined;
  if (aggText !== undefined) {
    if (runLevel) throw new Error(`threshold ${JSON.stringify(text)}: ${metric} is one number per run; write "${metric}${op}${numberText}${unitText}" without ${aggText}(...)`);
    aggregation = parseAggregation(aggText.toLowerCase(), text);
  } else if (!runLevel) {
    aggregation = { kind: 'mean' };
  }
  const unit: Threshold['unit'] = runLevel ? runLevel.unit : aggregation!.kind === 'count' ? 'count' : metricUnit(metric);
  const value = convert(number, unitWritten, unit, text);
  const subject = aggText !== undefined ? `${aggText.toLowerCase()}(${metric})` : metric;
  return { text: text.trim(), subject, metric, aggregation, op: op as Comparison, value, unit };
}

function parseAggregation(a: string, text: string): Aggregation {
  if (a === 'median') return { kind: 'percentile', p: 50 };
  if (a === 'mean' || a === 'avg') return { kind: 'mean' };
  if (a === 'min' || a === 'max' || a === 'std' || a === 'count') return { kind: a };
  const p = /^p(\d+(?:\.\d+)?)$/.exec(a);
  if (p) {
    // p999 means 99.9, as in the results' summaries
    const digits = p[1]!;
    const value = !digits.includes('.') && digits.length > 2 && digits.startsWith('99') ? Number(`99.${digits.slice(2)}`) : Number(digits);
    if (value > 0 && value <= 100) return { kind: 'percentile', p: value };
  }
  throw new Error(`threshold ${JSON.stringify(text)}: unknown aggregation "${a}"; use p50, p90, p95, p99, p99.9 (or p999), median, mean, min, max, std or count`);
}

function convert(n: number, unit: string, to: Threshold['unit'], text: string): number {
  const bad = (allowed: string) => new Error(`threshold ${JSON.stringify(text)}: unit "${unit}" does not fit a value in ${to}; use ${allowed}`);
  if (to === 'ms') {
    if (!(unit in TIME_UNITS)) throw bad('ms, s or us');
    return n * TIME_UNITS[unit]!;
  }
  if (to === 'fraction' || to === 'ratio') {
    if (unit === '%') return n / 100;
    if (unit === '') return n;
    throw bad('a fraction (0.01) or a percentage (1%)');
  }
  if (to === 'requests/s' || to === 'tokens/s' || to === 'chars/s') {
    if (!RATE_UNITS.has(unit)) throw bad('a number per second (10, 10/s)');
    return n;
  }
  if (unit !== '' && unit !== to && !(to === 'tokens' && unit === 'tok')) throw bad(`a plain number of ${to}`);
  return n;
}

/**
 * Parses a list of expressions, reporting every malformed one at once as a config error
 * (`where` names the source: "thresholds" in a scenario, "--threshold" on the command line).
 */
export function parseThresholds(texts: readonly string[], where = 'thresholds'): Threshold[] {
  const problems: ConfigProblem[] = [];
  const out: Threshold[] = [];
  texts.forEach((text, i) => {
    try {
      out.push(parseThreshold(text));
    } catch (err) {
      problems.push({ path: `${where}[${i}]`, message: (err as Error).message });
    }
  });
  if (problems.length) throw new ConfigError(problems);
  return out;
}

export interface ThresholdOutcome {
  threshold: Threshold;
  pointLabel: string;
  /** The measured value in the threshold's unit; NaN when the metric was not measured. */
  actual: number;
  passed: boolean;
  /** One line for humans: what was measured against what was asked. */
  message: string;
}

/** Checks every threshold against every load point of a run. */
export function checkThresholds(results: Results, thresholds: readonly Threshold[]): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const point of results.points) {
    for (const threshold of thresholds) {
      const actual = measuredValue(point.measure, threshold);
      const passed = Number.isFinite(actual) && holds(actual, threshold.op, threshold.value);
      const where = results.points.length > 1 ? ` at ${point.label}` : '';
      const message = Number.isFinite(actual)
        ? `${threshold.text}: ${threshold.subject} was ${show(actual, threshold.unit)}${where} (limit ${threshold.op} ${show(threshold.value, threshold.unit)})`
        : `${threshold.text}: ${threshold.metric} was not measured${where} (no requests produced it), so the threshold cannot hold`;
      outcomes.push({ threshold, pointLabel: point.label, actual, passed, message });
    }
  }
  return outcomes;
}

/** The left side of a threshold on one phase, in the threshold's unit. */
export function measuredValue(phase: PhaseResult, threshold: Pick<Threshold, 'metric' | 'aggregation'>): number {
  const runLevel = RUN_LEVEL[threshold.metric];
  if (runLevel) return runLevel.of(phase);
  const metric = phase.metrics[threshold.metric];
  const agg = threshold.aggregation ?? { kind: 'mean' };
  if (!metric || metric.summary.count === 0) return agg.kind === 'count' ? 0 : NaN;
  const s = metric.summary;
  switch (agg.kind) {
    case 'mean':
      return s.mean;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'std':
      return s.std;
    case 'count':
      return s.count;
    case 'percentile':
      return MetricHistogram.decode(metric.histogram, metric.scale).percentile(agg.p);
  }
}

/** Whether a measured value meets a threshold (a value that was not measured never does). */
export function thresholdHolds(value: number, t: Pick<Threshold, 'op' | 'value'>): boolean {
  return Number.isFinite(value) && holds(value, t.op, t.value);
}

function holds(actual: number, op: Comparison, bound: number): boolean {
  switch (op) {
    case '<':
      return actual < bound;
    case '<=':
      return actual <= bound;
    case '>':
      return actual > bound;
    case '>=':
      return actual >= bound;
  }
}

export function show(value: number, unit: Threshold['unit']): string {
  if (!Number.isFinite(value)) return '-';
  if (unit === 'fraction') return `${fmt(value * 100)}%`;
  if (unit === 'ms') return `${fmt(value)} ms`;
  if (unit === 'ratio' || unit === 'count' || unit === 'tokens') return fmt(value);
  return `${fmt(value)} ${unit}`;
}

/** Human lines for a set of outcomes: every failure with its reason, then a one-line tally. */
export function formatThresholdOutcomes(outcomes: readonly ThresholdOutcome[]): string {
  if (outcomes.length === 0) return '';
  const failed = outcomes.filter((o) => !o.passed);
  const lines = outcomes.map((o) => `${o.passed ? 'PASS' : 'FAIL'}  ${o.message}`);
  lines.push(failed.length ? `${failed.length} of ${outcomes.length} threshold checks failed` : `all ${outcomes.length} threshold checks passed`);
  return lines.join('\n');
}

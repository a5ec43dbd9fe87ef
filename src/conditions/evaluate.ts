import type { PhaseResult } from '../model/results.js';
import { MetricHistogram } from '../stats/histogram.js';
import type { Comparator, Condition } from './condition.js';

/**
 * The one evaluator of conditions: per request (SLOs, goodput), per phase (thresholds, targets,
 * capacity, compare --target) and per overhead arm (overhead --threshold). Values are in the
 * condition's unit (the metric's own), so comparing is `value op bound`.
 */

/** `pass`/`fail`; `inconclusive` when an interval straddles the bound; `not measured` when the run has no such value. */
export type VerdictStatus = 'pass' | 'fail' | 'inconclusive' | 'not measured';

export interface Verdict {
  condition: Condition;
  status: VerdictStatus;
  /** The measured value (point estimate), in the condition's unit. */
  value?: number;
  /** The interval the verdict was judged on (overhead), in the condition's unit. */
  interval?: { low: number; high: number; confidence: number };
  /** Overhead: the mode this verdict is about. */
  arm?: string;
}

export function holds(value: number, op: Comparator, bound: number): boolean {
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

/** Does one request's value meet an SLO? A request without the value (it failed, or had no audio) does not. */
export function meetsPerRequest(c: Condition, value: number | undefined): boolean {
  return value !== undefined && Number.isFinite(value) && holds(value, c.op, c.bound);
}

/** A condition on a whole phase: the value it reads and whether it holds. */
export function evaluateOnPhase(c: Condition, phase: PhaseResult): Verdict {
  const value = phaseValue(c, phase);
  if (value === undefined || !Number.isFinite(value)) return { condition: c, status: 'not measured' };
  return { condition: c, status: holds(value, c.op, c.bound) ? 'pass' : 'fail', value };
}

/** The value a condition reads from a phase, in its unit; undefined when the phase has none. */
export function phaseValue(c: Condition, phase: PhaseResult): number | undefined {
  const run = runLevelValue(c.metric, phase);
  if (run !== NOT_RUN_LEVEL) return run;
  const m = phase.metrics[c.metric];
  const agg = c.aggregation ?? { kind: 'mean' };
  if (agg.kind === 'count') return m?.summary.count ?? 0;
  if (!m || m.summary.count === 0) return undefined;
  const s = m.summary;
  switch (agg.kind) {
    case 'mean':
      return s.mean;
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'std':
      return s.std;
    case 'rate': {
      if (!(phase.durationMs > 0)) return undefined;
      // Output tokens have an exact total; other sums come from the histogram (3 significant digits).
      const total = c.metric === 'output_tokens' && phase.tokens ? phase.tokens.totalOutputTokens : s.mean * s.count;
      return (total * 1000) / phase.durationMs;
    }
    case 'percentile': {
      const stored: Record<number, keyof typeof s> = { 50: 'p50', 90: 'p90', 95: 'p95', 99: 'p99', 99.9: 'p999', 100: 'max' };
      const key = stored[agg.p];
      return key ? s[key] : MetricHistogram.decode(m.histogram, m.scale).percentile(agg.p);
    }
  }
}

const NOT_RUN_LEVEL = Symbol('not a run-level metric');

/**
 * One-number-per-phase quantities (the `level: 'run'` rows of the metric table), read from the
 * phase result. Undefined: the phase did not measure it (no --gpu, no --slo, no frames).
 */
function runLevelValue(metric: string, phase: PhaseResult): number | undefined | typeof NOT_RUN_LEVEL {
  const perSecond = (total: number) => (phase.durationMs > 0 ? (total * 1000) / phase.durationMs : undefined);
  const sum = (name: string) => {
    const s = phase.metrics[name]?.summary;
    return s && s.count > 0 ? s.mean * s.count : undefined;
  };
  const devices = phase.gpu?.devices ?? [];
  switch (metric) {
    case 'request_throughput':
      return phase.throughput.requestsPerSecond;
    case 'error_rate':
      // failed / sent, the same everywhere a condition reads it.
      return phase.counts.sent > 0 ? phase.counts.failed / phase.counts.sent : undefined;
    case 'goodput':
      return phase.goodput?.requestsPerSecond;
    case 'output_token_throughput':
      return phase.throughput.outputTokensPerSecond;
    case 'peak_output_token_throughput':
      return phase.throughput.peakOutputTokensPerSecond;
    case 'input_token_throughput': {
      if (phase.throughput.inputTokensPerSecond !== undefined) return phase.throughput.inputTokensPerSecond;
      const input = sum('input_tokens');
      return input === undefined ? undefined : perSecond(input);
    }
    case 'total_token_throughput': {
      if (phase.throughput.totalTokensPerSecond !== undefined) return phase.throughput.totalTokensPerSecond;
      const input = sum('input_tokens') ?? 0;
      const output = phase.tokens?.totalOutputTokens ?? 0;
      return input + output > 0 ? perSecond(input + output) : undefined;
    }
    case 'fps': {
      if (phase.throughput.framesPerSecond !== undefined) return phase.throughput.framesPerSecond;
      const frames = sum('frames_count'); // results from before fps was stored
      return frames === undefined ? undefined : perSecond(frames);
    }
    case 'peak_fps':
      return phase.throughput.peakFramesPerSecond;
    case 'audio_realtime':
      return phase.audio?.audioSecondsPerSecond;
    case 'vram':
      return devices.length ? Math.max(...devices.map((d) => d.memoryUsedMiB.max)) * 2 ** 20 : undefined;
    case 'gpu_util':
      return devices.length ? Math.max(...devices.map((d) => d.utilizationPercent.mean)) / 100 : undefined;
    default:
      return NOT_RUN_LEVEL;
  }
}

/** What `inferbench overhead` measured of one compared mode (arm), as conditions read it. */
export interface ArmMeasurements {
  name: string;
  /** Every measured call's wall time (ms). */
  latencySamplesMs: readonly number[];
  /** Against the baseline; absent on the baseline itself. Ratios (0.05 = +5%). */
  overhead?: { ratio: number; low: number; high: number; confidence: number };
  heapPeakBytes: number;
  rssPeakBytes: number;
}

/**
 * A condition on one overhead arm. `overhead` is judged on its whole interval: it passes only
 * when every value in the interval meets the bound, fails when none does, and is inconclusive
 * when the interval straddles it (the measurement cannot tell). Other metrics are point values.
 */
export function evaluateOnArm(c: Condition, arm: ArmMeasurements): Verdict {
  const base = { condition: c, arm: arm.name };
  if (c.metric === 'overhead') {
    if (!arm.overhead) return { ...base, status: 'not measured' };
    const { ratio, low, high, confidence } = arm.overhead;
    const lowMeets = holds(low, c.op, c.bound);
    const highMeets = holds(high, c.op, c.bound);
    const status: VerdictStatus = lowMeets && highMeets ? 'pass' : !lowMeets && !highMeets ? 'fail' : 'inconclusive';
    return { ...base, status, value: ratio, interval: { low, high, confidence } };
  }
  let value: number | undefined;
  if (c.metric === 'heap_peak_bytes') value = arm.heapPeakBytes;
  else if (c.metric === 'rss_peak_bytes') value = arm.rssPeakBytes;
  else if (c.metric === 'latency') value = sampleAggregate(arm.latencySamplesMs, c);
  if (value === undefined || !Number.isFinite(value)) return { ...base, status: 'not measured' };
  return { ...base, status: holds(value, c.op, c.bound) ? 'pass' : 'fail', value };
}

/** An aggregation over raw samples (percentiles by the nearest-rank rule, as HDR histograms report them). */
function sampleAggregate(samples: readonly number[], c: Condition): number | undefined {
  const agg = c.aggregation ?? { kind: 'mean' };
  if (agg.kind === 'count') return samples.length;
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  switch (agg.kind) {
    case 'mean':
      return mean;
    case 'min':
      return sorted[0];
    case 'max':
      return sorted.at(-1);
    case 'std':
      return Math.sqrt(sorted.reduce((a, x) => a + (x - mean) ** 2, 0) / sorted.length);
    case 'percentile':
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((agg.p / 100) * sorted.length) - 1))];
    case 'rate':
      return undefined;
  }
}

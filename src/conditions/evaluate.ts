import type { PhaseResult } from '../model/results.js';
import { MetricHistogram } from '../stats/histogram.js';
import { boundIn, compare, type Condition } from './condition.js';

/**
 * A condition on a whole phase (`p95(ttfc) < 400ms`, `error_rate < 1%`, `vram < 16GB`):
 * the measured value (undefined when the phase has no such measurement) and the verdict.
 */
export interface PhaseVerdict {
  condition: Condition;
  value?: number;
  met: boolean;
}

const SUMMARY_STATS = new Set(['mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99']);

/** The measured value a condition reads from a phase, in the unit its bound is normalised to. */
export function phaseValue(c: Condition, phase: PhaseResult): number | undefined {
  const stat = c.stat ?? 'mean';
  const metric = phase.metrics[c.metric];
  if (metric) {
    if (SUMMARY_STATS.has(stat)) return metric.summary[stat as 'mean'];
    if (stat === 'p99.9') return metric.summary.p999;
    return MetricHistogram.decode(metric.histogram, metric.scale).percentile(Number(stat.slice(1)));
  }
  const gpuDevices = phase.gpu?.devices ?? [];
  switch (c.metric) {
    case 'error_rate':
      return phase.counts.completed > 0 ? phase.counts.failed / phase.counts.completed : undefined;
    case 'request_throughput':
    case 'throughput':
      return phase.throughput.requestsPerSecond;
    case 'goodput':
      return phase.goodput?.requestsPerSecond;
    case 'output_token_throughput':
      return phase.throughput.outputTokensPerSecond;
    case 'input_token_throughput':
      return phase.throughput.inputTokensPerSecond;
    case 'total_token_throughput':
      return phase.throughput.totalTokensPerSecond;
    case 'vram':
    case 'vram_peak':
      return gpuDevices.length ? Math.max(...gpuDevices.map((d) => d.memoryUsedMiB.max)) : undefined;
    case 'gpu_util':
      return gpuDevices.length ? Math.max(...gpuDevices.map((d) => (stat === 'max' ? d.utilizationPercent.max : d.utilizationPercent.mean))) / 100 : undefined;
    case 'audio_realtime':
      return phase.audio?.audioSecondsPerSecond;
    default:
      return undefined;
  }
}

export function evaluateOnPhase(c: Condition, phase: PhaseResult): PhaseVerdict {
  const value = phaseValue(c, phase);
  if (value === undefined) return { condition: c, met: false };
  const unit = phase.metrics[c.metric]?.unit ?? '';
  return { condition: c, value, met: compare(value, c.op, boundIn(c, unit)) };
}

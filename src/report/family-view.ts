import type { MetricFamily } from '../model/metrics.js';
import type { PhaseResult } from '../model/results.js';

/**
 * How each metric family is presented: which metrics lead its tables, which distributions
 * and per-second series its report draws, and its throughput figures. Every report (console,
 * markdown, HTML, compare) reads this, so a TTS run never shows tokens and a REST run never
 * shows a stream metric.
 */
export interface FamilyView {
  /** Metrics first in tables, in this order (others the phase has follow). */
  leading: readonly string[];
  /** Distributions drawn as histograms and box plots. */
  distributions: readonly string[];
  /** The headline percentile cards: [metric, stat]. */
  cards: readonly (readonly [string, 'p50' | 'p95' | 'p99' | 'mean'])[];
}

const EVERY = ['ttfb', 'latency', 'service_time', 'connect', 'queue_delay'] as const;

export const FAMILY_VIEWS: Record<MetricFamily, FamilyView> = {
  text: {
    leading: ['ttft', 'itl', 'itl_per_token', 'tpot', 'first_event', ...EVERY, 'stream_time', 'output_tokens', 'input_tokens', 'decode_speed'],
    distributions: ['latency', 'ttft', 'itl'],
    cards: [
      ['ttft', 'p50'],
      ['ttft', 'p95'],
      ['itl', 'p50'],
      ['latency', 'p50'],
      ['latency', 'p95'],
    ],
  },
  audio: {
    leading: ['ttfc', 'audio_seconds', 'rtf', 'stream_rtf', 'stall_count', 'stall_ms', 'first_event', ...EVERY, 'stream_time', 'audio_chunks_count'],
    distributions: ['latency', 'ttfc', 'rtf'],
    cards: [
      ['ttfc', 'p50'],
      ['ttfc', 'p95'],
      ['rtf', 'mean'],
      ['latency', 'p50'],
      ['latency', 'p95'],
    ],
  },
  frames: {
    leading: ['frame_latency', 'batch_latency', 'first_frame_wait', 'frames_count', 'first_event', ...EVERY, 'stream_time'],
    distributions: ['frame_latency', 'latency'],
    cards: [
      ['frame_latency', 'p50'],
      ['frame_latency', 'p95'],
      ['latency', 'p50'],
      ['latency', 'p99'],
    ],
  },
  unary: {
    leading: ['latency', 'ttfb', 'service_time', 'connect', 'queue_delay', 'first_event', 'stream_time'],
    distributions: ['latency', 'ttfb'],
    cards: [
      ['latency', 'p50'],
      ['latency', 'p95'],
      ['latency', 'p99'],
      ['ttfb', 'p50'],
    ],
  },
};

/** The phase's metric names, its family's leading ones first. */
export function orderedMetrics(phase: PhaseResult): string[] {
  const leading = FAMILY_VIEWS[phase.family].leading.filter((n) => phase.metrics[n]);
  return [...leading, ...Object.keys(phase.metrics).filter((n) => !leading.includes(n))];
}

/** A phase's throughput figures in its family's terms: `[value, unit, label]`, the headline first. */
export function throughputFigures(phase: PhaseResult): { label: string; value: number; unit: string }[] {
  const t = phase.throughput;
  const out: { label: string; value: number; unit: string }[] = [];
  if (phase.family === 'frames' && t.framesPerSecond !== undefined) out.push({ label: 'fps', value: t.framesPerSecond, unit: 'FPS' });
  out.push({ label: 'request throughput', value: t.requestsPerSecond, unit: 'req/s' });
  if (phase.family === 'text' && t.outputTokensPerSecond !== undefined) out.push({ label: 'output tokens', value: t.outputTokensPerSecond, unit: 'tok/s' });
  if (phase.family === 'text' && t.inputTokensPerSecond !== undefined) out.push({ label: 'input tokens', value: t.inputTokensPerSecond, unit: 'input tok/s' });
  if (phase.family === 'text' && t.totalTokensPerSecond !== undefined) out.push({ label: 'total tokens', value: t.totalTokensPerSecond, unit: 'total tok/s' });
  if (phase.family === 'audio' && phase.audio) out.push({ label: 'audio', value: phase.audio.audioSecondsPerSecond, unit: 'audio s/s' });
  return out;
}

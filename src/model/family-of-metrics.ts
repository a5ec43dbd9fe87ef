import type { FamilyOf, MetricFamily } from './metrics.js';

/**
 * The family of a phase, inferred from the metrics it produced (until every result names its
 * own family): text streams have ttft, speech has audio, frame targets have frames.
 */
export function familyOfMetrics(names: Iterable<string>): FamilyOf {
  const has = new Set(names);
  const streamed = has.has('first_event') || has.has('ttft') || has.has('ttfc') || has.has('itl');
  const inProcess = has.has('callback_time') || has.has('heap_peak_bytes');
  const family: MetricFamily = has.has('ttft') || has.has('output_tokens') ? 'text' : has.has('audio_seconds') || has.has('ttfc') ? 'audio' : has.has('frames_count') || has.has('frame_latency') ? 'frames' : 'unary';
  return { family, streamed, ...(inProcess ? { inProcess } : {}) };
}

/** The per-request metrics a person watches first for each family (live view, report CDFs), in that order. */
export const KEY_METRICS: Record<MetricFamily, readonly string[]> = {
  text: ['ttft', 'itl', 'tpot', 'latency'],
  audio: ['ttfc', 'rtf', 'latency'],
  frames: ['frame_latency', 'latency'],
  unary: ['latency', 'ttfb'],
};

/** How a family's output is counted per second: the throughput the live view and exports show beside req/s. */
export const OUTPUT_RATE_OF_FAMILY: Record<MetricFamily, { label: string; unit: string } | undefined> = {
  text: { label: 'output tokens', unit: 'tok/s' },
  audio: { label: 'audio', unit: 'audio s/s' },
  frames: { label: 'frames', unit: 'fps' },
  unary: undefined,
};

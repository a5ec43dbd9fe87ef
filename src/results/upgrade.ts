import type { MetricFamily } from '../model/metrics.js';
import { METRICS, metricApplies, type MetricDefinition } from '../model/metrics.js';

/**
 * Reads results written by earlier inferbench versions as the current shape, so `report`,
 * `compare` and `merge` keep working on old files. Version 1 had no metric family: it is
 * inferred from which metrics a phase has, and what version 1 reported outside its family
 * (audio samples counted as tokens, a unary answer's one "token") is dropped.
 */
export function upgradeResults(json: unknown): unknown {
  if (!json || typeof json !== 'object' || (json as { schemaVersion?: unknown }).schemaVersion !== 1) return json;
  const r = structuredClone(json) as { schemaVersion: number; points?: { measure?: Record<string, unknown> }[] };
  r.schemaVersion = 2;
  for (const point of r.points ?? []) if (point.measure) upgradePhase(point.measure);
  return r;
}

type V1Phase = Record<string, unknown> & {
  metrics?: Record<string, { summary?: { count?: number; mean?: number } }>;
  throughput?: Record<string, number>;
  series?: Record<string, unknown>;
  durationMs?: number;
};

function upgradePhase(p: V1Phase): void {
  const metrics = p.metrics ?? {};
  const has = (name: string) => name in metrics;
  const family: MetricFamily = has('ttfc') || has('audio_seconds') ? 'audio' : has('frame_latency') || has('frames_count') ? 'frames' : has('ttft') || has('output_tokens') ? 'text' : 'unary';
  const streamed = has('first_event') || has('ttft') || has('ttfc') || has('itl');
  const inProcess = has('callback_time');
  p.family = family;
  p.streamed = streamed;
  if (inProcess) p.inProcess = true;
  const table = METRICS as Record<string, MetricDefinition>;
  for (const name of Object.keys(metrics)) {
    const def = table[name];
    if (def && !metricApplies(def, { family, streamed, inProcess })) delete metrics[name];
  }
  const throughput = p.throughput ?? {};
  const series = p.series ?? {};
  if (family !== 'text') {
    delete throughput.outputTokensPerSecond;
    delete throughput.peakOutputTokensPerSecond;
    delete p.tokens;
    delete series.outputTokens;
  }
  if (family === 'frames') {
    const frames = metrics.frames_count?.summary;
    const total = (frames?.count ?? 0) * (frames?.mean ?? 0);
    throughput.framesPerSecond = p.durationMs ? (total * 1000) / p.durationMs : 0;
  }
}

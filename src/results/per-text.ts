import type { LatencyMs, MetricResult, PerTextResults, Results } from '../model/results.js';
import { MetricHistogram } from '../stats/histogram.js';

const MIB_TO_GB = 2 ** 20 / 1e9;

function latencyMs(m: MetricResult): LatencyMs {
  const s = m.summary;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { mean_ms: r(s.mean), std_ms: r(s.std), p50_ms: r(s.p50), p95_ms: r(s.p95), p99_ms: r(s.p99), min_ms: r(s.min), max_ms: r(s.max) };
}

/**
 * The seed's per-text layout (`results.<text_name>` and `summary`) from load points that
 * each benchmarked one text. RTF is the seed's: mean latency / mean audio duration.
 * Undefined when no point carries a text.
 */
export function perTextResults(results: Results): PerTextResults | undefined {
  const points = results.points.filter((p) => p.text);
  if (!points.length) return undefined;
  const out: PerTextResults = { results: {}, summary: { overall_mean_ms: 0, overall_p95_ms: 0 } };
  let all: MetricHistogram | undefined;
  let latencySum = 0;
  let latencyCount = 0;
  let audioSum = 0;
  let maxVram: number | undefined;
  for (const p of points) {
    const m = p.measure;
    const latency = m.metrics.latency;
    if (!latency) continue;
    const key = out.results[p.text!.name] ? p.label : p.text!.name;
    const entry: PerTextResults['results'][string] = { text_length_words: p.text!.words, requests: latency.summary.count, latency: latencyMs(latency) };
    // Exact totals (not the histogram's 3-digit mean): audio duration is exact by construction.
    if (m.audio) {
      const meanAudioMs = (m.audio.totalSeconds * 1000) / m.audio.requests;
      entry.audio_duration_ms = Math.round(meanAudioMs * 100) / 100;
      entry.rtf = Math.round((latency.summary.mean / meanAudioMs) * 1000) / 1000;
      audioSum += meanAudioMs * latency.summary.count;
    }
    if (m.metrics.ttfc) entry.ttfc = latencyMs(m.metrics.ttfc);
    if (m.gpu?.devices.length) {
      entry.vram_peak_gb = Math.round(Math.max(...m.gpu.devices.map((d) => d.memoryUsedMiB.max)) * MIB_TO_GB * 100) / 100;
      maxVram = Math.max(maxVram ?? 0, entry.vram_peak_gb);
    }
    out.results[key] = entry;
    latencySum += latency.summary.mean * latency.summary.count;
    latencyCount += latency.summary.count;
    const h = MetricHistogram.decode(latency.histogram, latency.scale);
    if (all) all.add(h);
    else all = h;
  }
  if (!latencyCount) return undefined;
  out.summary.overall_mean_ms = Math.round((latencySum / latencyCount) * 100) / 100;
  out.summary.overall_p95_ms = Math.round(all!.percentile(95) * 100) / 100;
  if (audioSum > 0) out.summary.overall_rtf = Math.round((latencySum / audioSum) * 1000) / 1000;
  if (maxVram !== undefined) out.summary.max_vram_gb = maxVram;
  return out;
}

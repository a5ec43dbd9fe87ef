import { metricUnit, type MetricUnit } from '../model/metrics.js';
import type { Results } from '../model/results.js';
import type { SecondSnapshot } from '../live/live-stats.js';
import type { TimeSeries } from './remote-write.js';

/**
 * inferbench's numbers under Prometheus naming conventions (prometheus.io/docs/practices/naming):
 * an `inferbench_` prefix, base units (seconds, bytes) named as a suffix, `_total` on counters,
 * summaries as `{quantile="…"}` with `_sum` and `_count`. Labels on every series: `job="inferbench"`,
 * `run` (the scenario's name), `point` (the load point), `phase` (warmup | measure).
 *
 * Per second while the run goes (each sample stamped at the end of its second):
 *   inferbench_requests_sent_total                 counter
 *   inferbench_requests_total{outcome}             counter: ok, http_error, timeout, connection_error, ...
 *   inferbench_output_tokens_total                 counter (text), inferbench_audio_seconds_total (speech),
 *   inferbench_frames_total                        (frames)
 *   inferbench_requests_in_flight                  gauge: most in flight during the second
 *   inferbench_<metric>_<unit>{quantile="0.5"|"0.99"}  gauge: the family's key metrics and latency over the
 *                                                  requests that ended in that second
 * Once per load point when the run ends (stamped at the run's end):
 *   inferbench_phase_<metric>_<unit>{quantile="0.5"|"0.9"|"0.95"|"0.99"|"0.999"}, _sum, _count
 *   inferbench_phase_requests_total{outcome}, inferbench_phase_duration_seconds,
 *   inferbench_phase_throughput_requests_per_second, inferbench_phase_error_ratio, and by family
 *   inferbench_phase_output_tokens_per_second, inferbench_phase_frames_per_second,
 *   inferbench_phase_audio_seconds_per_second
 */

const PREFIX = 'inferbench_';

/** The unit suffix and the factor from inferbench's unit to Prometheus's base unit. */
const BASE_UNIT: Record<MetricUnit, { suffix: string; factor: number }> = {
  ms: { suffix: 'seconds', factor: 1 / 1000 },
  s: { suffix: 'seconds', factor: 1 },
  tokens: { suffix: 'tokens', factor: 1 },
  'tokens/s': { suffix: 'tokens_per_second', factor: 1 },
  count: { suffix: 'per_request', factor: 1 },
  ratio: { suffix: 'ratio', factor: 1 },
  bytes: { suffix: 'bytes', factor: 1 },
  'chars/s': { suffix: 'chars_per_second', factor: 1 },
  'frames/s': { suffix: 'frames_per_second', factor: 1 },
  'requests/s': { suffix: 'requests_per_second', factor: 1 },
};

/** A metric's Prometheus name (without prefix) and value factor: `ttft` → `ttft_seconds` × 1/1000, `stall_count` → `stall_per_request`. */
export function prometheusMetricName(metric: string): { name: string; factor: number } {
  const unit = metricUnit(metric);
  const { suffix, factor } = BASE_UNIT[unit];
  // Names that already end in their unit keep one copy of it (heap_peak_bytes, audio_seconds, stall_ms → stall_seconds).
  const stem = metric.replace(/_(ms|seconds|bytes|tokens|count|ratio)$/, '').replace(/[^a-zA-Z0-9_]/g, '_');
  return { name: `${stem}_${suffix}`, factor };
}

export interface SeriesLabels {
  job: string;
  run: string;
}

/** The per-second series of closed seconds, one time series per name and label set. */
export function secondSeries(seconds: readonly SecondSnapshot[], base: SeriesLabels): TimeSeries[] {
  const byKey = new Map<string, TimeSeries>();
  const add = (name: string, labels: Record<string, string>, value: number, timestampMs: number) => {
    const all = { __name__: PREFIX + name, ...base, ...labels };
    const key = JSON.stringify(all);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { labels: all, samples: [] }));
    s.samples.push({ value, timestampMs });
  };
  for (const sec of seconds) {
    const at = sec.atEpochMs;
    const labels = { point: sec.point, phase: sec.phase };
    add('requests_sent_total', labels, sec.totals.sent, at);
    for (const [outcome, n] of Object.entries(sec.totals.byOutcome)) add('requests_total', { ...labels, outcome }, n, at);
    if (sec.totals.outputTokens > 0) add('output_tokens_total', labels, sec.totals.outputTokens, at);
    if (sec.totals.audioSeconds > 0) add('audio_seconds_total', labels, sec.totals.audioSeconds, at);
    if (sec.totals.frames > 0) add('frames_total', labels, sec.totals.frames, at);
    add('requests_in_flight', labels, sec.inFlightMax, at);
    for (const [metric, m] of Object.entries(sec.metrics)) {
      const { name, factor } = prometheusMetricName(metric);
      add(name, { ...labels, quantile: '0.5' }, m.p50 * factor, at);
      add(name, { ...labels, quantile: '0.99' }, m.p99 * factor, at);
    }
  }
  return [...byKey.values()];
}

const QUANTILES = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
] as const;

/** The final summaries of every load point's measure phase, stamped at the run's end. */
export function summarySeries(results: Results, base: SeriesLabels): TimeSeries[] {
  const at = Date.parse(results.endedAt);
  const out: TimeSeries[] = [];
  const add = (name: string, labels: Record<string, string>, value: number) => {
    if (Number.isFinite(value)) out.push({ labels: { __name__: `${PREFIX}phase_${name}`, ...base, ...labels }, samples: [{ value, timestampMs: at }] });
  };
  for (const point of results.points) {
    const m = point.measure;
    const labels = { point: point.label, phase: 'measure' };
    for (const [metric, r] of Object.entries(m.metrics)) {
      if (r.summary.count === 0) continue;
      const { name, factor } = prometheusMetricName(metric);
      for (const [q, key] of QUANTILES) add(name, { ...labels, quantile: q }, r.summary[key] * factor);
      add(`${name}_sum`, labels, r.summary.mean * r.summary.count * factor);
      add(`${name}_count`, labels, r.summary.count);
    }
    for (const [outcome, n] of Object.entries(m.counts.byOutcome)) if (n > 0) add('requests_total', { ...labels, outcome }, n);
    add('duration_seconds', labels, m.durationMs / 1000);
    add('throughput_requests_per_second', labels, m.throughput.requestsPerSecond);
    if (m.throughput.outputTokensPerSecond !== undefined) add('output_tokens_per_second', labels, m.throughput.outputTokensPerSecond);
    if (m.throughput.framesPerSecond !== undefined) add('frames_per_second', labels, m.throughput.framesPerSecond);
    if (m.audio) add('audio_seconds_per_second', labels, m.audio.audioSecondsPerSecond);
    add('error_ratio', labels, m.counts.sent ? m.counts.failed / m.counts.sent : 0);
  }
  return out;
}

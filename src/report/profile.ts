import type { LoadPointResult, Results } from '../model/results.js';
import { fmt, table } from './table.js';

/**
 * The profile's table (GuideLLM's benchmark table): one row per stage or rate, with what was
 * offered against what was achieved, the token throughputs, the latencies that matter for
 * LLM serving, and goodput when SLOs were set; then the knee in one sentence.
 */
export function formatProfile(results: Results): string[] {
  const profile = results.profile;
  if (!profile) return [];
  const withGoodput = results.points.some((p) => p.measure.goodput);
  const p = (point: LoadPointResult, metric: string, stat: 'p50' | 'p99') => {
    const s = point.measure.metrics[metric]?.summary;
    return s ? fmt(s[stat]) : '-';
  };
  const rows = results.points.map((point) => {
    const m = point.measure;
    const offered = point.load.mode === 'rate' ? fmt(point.load.rate as number) : point.load.mode === 'concurrency' ? `c=${point.load.concurrency as number}` : '-';
    const row = [
      point.label,
      offered,
      fmt(m.throughput.requestsPerSecond),
      m.throughput.outputTokensPerSecond !== undefined ? fmt(m.throughput.outputTokensPerSecond) : '-',
      m.throughput.totalTokensPerSecond !== undefined ? fmt(m.throughput.totalTokensPerSecond) : '-',
      p(point, 'ttft', 'p50'),
      p(point, 'ttft', 'p99'),
      p(point, 'itl', 'p50'),
      p(point, 'itl', 'p99'),
      p(point, 'latency', 'p99'),
    ];
    if (withGoodput) row.push(m.goodput ? `${fmt(m.goodput.requestsPerSecond)} (${(m.goodput.share * 100).toFixed(0)}%)` : '-');
    return row;
  });
  const header = ['point', 'offered', 'req/s', 'out tok/s', 'total tok/s', 'ttft p50', 'ttft p99', 'itl p50', 'itl p99', 'latency p99'];
  if (withGoodput) header.push('goodput req/s (share)');
  const lines = [`profile ${profile.name} (times in ms; offered = rate in req/s, or c = requests kept in flight)`, ...table(header, rows)];
  if (profile.synchronousRate !== undefined && profile.throughputRate !== undefined) {
    lines.push(`synchronous ${fmt(profile.synchronousRate)} req/s, throughput ${fmt(profile.throughputRate)} req/s; rates between: ${(profile.rates ?? []).map(fmt).join(', ')}`);
  }
  const knee = profile.knee;
  if (knee) {
    const base = `median latency ${fmt(knee.synchronousLatencyP50Ms)} ms unloaded`;
    const below = knee.offeredRate !== undefined ? `stayed within 2x up to ${fmt(knee.offeredRate)} req/s offered (${fmt(knee.achievedRate!)} achieved, ${fmt(knee.latencyP50Ms!)} ms)` : 'more than doubled at every rate tried';
    const above =
      knee.firstBehindOfferedRate !== undefined
        ? `; at ${fmt(knee.firstBehindOfferedRate)} req/s it was ${fmt(knee.firstBehindLatencyP50Ms!)} ms (${fmt(knee.firstBehindAchievedRate!)} achieved)`
        : '; no rate tried doubled it';
    lines.push(`knee: ${base}; ${below}${above}`);
  }
  return lines;
}

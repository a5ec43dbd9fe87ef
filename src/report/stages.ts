import type { Results } from '../model/results.js';
import { fmt, table } from './table.js';

/** Each staged point's stages side by side (locust's and k6's per-stage view); empty when no point was staged. */
export function formatStages(results: Results): string {
  const blocks: string[] = [];
  for (const point of results.points) {
    if (!point.stages?.length) continue;
    const rows = point.stages.map((s) => {
      const m = s.measure;
      const latency = m.metrics.latency?.summary;
      const n = (x: number) => (Number.isInteger(x) ? String(x) : fmt(x));
      const load = s.from === s.to ? n(s.to) : `${n(s.from)}→${n(s.to)}`;
      return [s.label, `${load} ${s.unit}`, `${fmt(s.durationMs / 1000)} s`, String(m.counts.sent), String(m.counts.failed), fmt(m.throughput.requestsPerSecond), fmt(latency?.p50 ?? NaN), fmt(latency?.p95 ?? NaN), fmt(latency?.p99 ?? NaN)];
    });
    blocks.push(`[${point.label}] stages (requests counted in the stage they started in)`, ...table(['stage', 'load', 'length', 'sent', 'failed', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms'], rows));
  }
  return blocks.join('\n');
}

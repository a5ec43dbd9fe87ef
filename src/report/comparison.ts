import type { LoadPointResult, Results } from '../model/results.js';
import { fmt, table } from './table.js';

/** Throughput of a point: frames/s for a frames run (`fps`, model/metrics.ts), else requests/s. */
export function pointThroughput(point: LoadPointResult): { value: number; unit: 'FPS' | 'req/s' } {
  const m = point.measure;
  if (m.family === 'frames' && m.throughput.framesPerSecond !== undefined) return { value: m.throughput.framesPerSecond, unit: 'FPS' };
  return { value: m.throughput.requestsPerSecond, unit: 'req/s' };
}

/**
 * One table across a sweep's points (the detection seed's table): mode, FPS (or req/s),
 * average latency, p50/p95/p99, speedup against the first point, and notes. Per-frame latency
 * is `frame_latency` when requests carried frames, else `latency`.
 */
export function formatSweepComparison(results: Results): string[] {
  if (results.points.length < 2) return [];
  // Steps (fit, then predict) are different calls, not settings of one: a speedup between them means nothing.
  if (results.points.some((p) => p.step !== undefined)) return [];
  const first = pointThroughput(results.points[0]!);
  const unit = results.points.every((p) => pointThroughput(p).unit === 'FPS') ? 'FPS' : 'req/s';
  const rows = results.points.map((p) => {
    const m = p.measure;
    const thr = pointThroughput(p);
    const lat = (m.metrics.frame_latency ?? m.metrics.latency)?.summary;
    const notes: string[] = [];
    const wait = m.metrics.first_frame_wait?.summary;
    if (wait && wait.max > 0) notes.push(`first-frame wait ${fmt(wait.mean)} ms`);
    const batch = m.metrics.batch_latency?.summary;
    if (batch) notes.push(`batch latency ${fmt(batch.mean)} ms`);
    if (m.counts.failed) notes.push(`${m.counts.failed} failed`);
    if (m.clientHealth.clientBound) notes.push('client-bound');
    return [
      p.label,
      `${m.counts.ok}/${m.counts.sent}`,
      fmt(thr.value),
      lat ? fmt(lat.mean) : '-',
      lat ? fmt(lat.p50) : '-',
      lat ? fmt(lat.p95) : '-',
      lat ? fmt(lat.p99) : '-',
      first.value > 0 ? `${(thr.value / first.value).toFixed(2)}x` : '-',
      notes.join('; '),
    ];
  });
  const latencyName = results.points.some((p) => p.measure.metrics.frame_latency) ? 'frame latency' : 'latency';
  return [
    `comparison (${latencyName} in ms; speedup = ${unit} against the first point)`,
    ...table(['mode', 'ok/sent', unit, 'avg', 'p50', 'p95', 'p99', 'speedup', 'notes'], rows),
  ];
}

/**
 * Open-loop accuracy at 5,000 req/s Poisson: achieved rate vs target, share of sends later than
 * 1 ms, and send lateness p50/p99 (max_in_flight 1000: a client that falls behind drops arrivals
 * instead of opening sockets without bound), on 1 client thread (core 0) and with --workers 2, against
 * nginx (core 1) or the reference server's GET /echo when nginx is not installed.
 *
 *   npm run bench:open-loop -- [--rate 5000] [--duration 10]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLoad, pinnedTo, runToEnd, startNginx, startReferenceServer } from './support/processes.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '5000' }, duration: { type: 'string', default: '10' }, child: { type: 'string' } } });

if (values.child) {
  const { run } = await import('../src/run/runner.js');
  const rate = Number(values.rate);
  const { results } = await run(
    {
      name: 'open-loop',
      target: { protocol: 'http', url: values.child, method: 'GET' },
      load: { mode: 'rate', rate, arrival: 'poisson', duration: `${values.duration}s`, seed: 1, max_in_flight: 1000 },
      phases: { warmup: { duration: '2s' } },
      output: { write: false },
    },
    { workers: Number(process.env.BENCH_WORKERS ?? 1) },
  );
  const m = results.points[0]!.measure;
  // The seeded schedule's own arrivals in the window (a Poisson count varies by ~1/sqrt(n) around rate × duration).
  const { arrivalSchedule } = await import('../src/load/arrivals.js');
  const { mixSeed } = await import('../src/random.js');
  const next = arrivalSchedule('poisson', rate, mixSeed(1, 2));
  let planned = 0;
  while (next() < Number(values.duration) * 1000) planned++;
  // Achieved rate: sends over the time they took (first start to last end; the planned window when sends kept up).
  process.stdout.write(
    JSON.stringify({ planned, dropped: m.counts.dropped, sent: m.counts.sent, achieved: m.counts.sent / Math.max(Number(values.duration), m.durationMs / 1000), errors: m.counts.errors.slice(0, 2), late: m.clientHealth.lateSendShare, qd: m.metrics.queue_delay?.summary, failed: m.counts.failed }) + '\n',
  );
  process.exit(0);
}

const server = (await startNginx(1, mkdtempSync(join(tmpdir(), 'inferbench-nginx-')))) ?? (await startReferenceServer(1));
const url = `${server.url}/echo`;
const loadBefore = await machineLoad();
const lines: string[] = [];
try {
  for (const workers of [1, 2]) {
    const pin = workers === 1 ? pinnedTo(0) : [];
    const out = await runToEnd([...pin, process.execPath, '--import', 'tsx', 'bench/open-loop.ts', '--rate', values.rate!, '--duration', values.duration!, '--child', url], );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { planned: number; sent: number; achieved: number; errors: unknown[]; late: number; qd: { p50: number; p99: number }; failed: number; dropped: number };
    lines.push(
      `${workers === 1 ? '1 thread (core 0)   ' : '2 workers (unpinned)'}: achieved ${r.achieved.toFixed(1)} req/s of ${values.rate} (${((r.achieved / Number(values.rate) - 1) * 100).toFixed(2)}%; sent ${r.sent} of the schedule's ${r.planned} arrivals, ${r.dropped} dropped at max_in_flight 1000), ` +
        `late > 1 ms ${(r.late * 100).toFixed(2)}%, send lateness p50 ${r.qd.p50.toFixed(3)} ms p99 ${r.qd.p99.toFixed(3)} ms, failed ${r.failed}${r.failed ? ` (${JSON.stringify(r.errors)})` : ''}`,
    );
    process.env.BENCH_WORKERS = '2';
  }
} finally {
  await server.close();
}
process.stdout.write(
  [`open loop, Poisson ${values.rate} req/s for ${values.duration} s (seed 1) against ${url}`, `${loadBefore} before, ${await machineLoad()} after`, ...lines, 'goals: achieved within 0.5%, ≤ 1% late sends'].join('\n') + '\n',
);

/**
 * One inferbench closed-loop unary run, in its own process (bench/client-capacity.ts spawns it
 * pinned to a core): `tsx bench/support/inferbench-unary.ts URL CONCURRENCY DURATION_S [WORKERS]`.
 * Prints {"requestsPerSecond", "ok", "failed", "durationMs"} as JSON.
 */
import { run } from '../../src/index.js';

const [url, concurrency, durationS, workers] = process.argv.slice(2);
if (!url || !concurrency || !durationS) throw new Error('usage: inferbench-unary.ts URL CONCURRENCY DURATION_S [WORKERS]');
const { results } = await run(
  {
    name: 'client-capacity',
    target: { protocol: 'http', url, method: 'GET' },
    load: { mode: 'concurrency', concurrency: Number(concurrency), duration: `${durationS}s` },
    output: { write: false },
  },
  workers ? ({ workers: Number(workers) } as Parameters<typeof run>[1]) : {},
);
const m = results.points[0]!.measure;
process.stdout.write(
  JSON.stringify({ requestsPerSecond: m.counts.ok / (m.durationMs / 1000), ok: m.counts.ok, failed: m.counts.failed, durationMs: m.durationMs, cpuPercent: m.clientHealth.cpuPercent }) + '\n',
);

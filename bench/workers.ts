/**
 * Worker scaling on a client-bound load: SSE streams from a server that sends pre-built
 * answers in one write (so parsing is the limit), 1 worker thread vs 2, same duration.
 * Needs at least 3 free cores to show the client's own scaling (2 client threads + the server);
 * on a 2-core machine the figure mostly shows the cores being shared.
 *
 *   npm run bench:workers -- [--streams 1000] [--events 256] [--duration 10] [--rounds 2]
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { machineLoad, median, runToEnd, startScriptServer } from './support/processes.js';

const { values } = parseArgs({
  options: { streams: { type: 'string', default: '1000' }, events: { type: 'string', default: '256' }, duration: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } },
});
const cores = availableParallelism();
const server = await startScriptServer(cores - 1, 'bench/support/static-sse-server.ts', [values.events!]);
const url = `${server.url}/v1/chat/completions`;
const loadBefore = await machineLoad();
const samples: Record<1 | 2, number[]> = { 1: [], 2: [] };
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const workers of [1, 2] as const) {
      const out = JSON.parse(await runToEnd([process.execPath, '--import', 'tsx', 'bench/support/inferbench-sse.ts', url, values.streams!, values.duration!, String(workers)])) as { eventsPerSecond: number; workers: number };
      if (out.workers !== workers) throw new Error(`asked for ${workers} workers, ran ${out.workers}`);
      samples[workers].push(out.eventsPerSecond);
      process.stderr.write(`round ${r + 1}: ${workers} worker(s) ${Math.round(out.eventsPerSecond)} events/s\n`);
    }
  }
} finally {
  await server.close();
}
const one = median(samples[1]);
const two = median(samples[2]);
process.stdout.write(
  [
    `SSE ${values.streams} streams × ${values.events} events, ${values.duration} s × ${values.rounds} rounds, ${cores} cores (server pinned to core ${cores - 1}, clients unpinned)`,
    `${loadBefore} before, ${await machineLoad()} after`,
    `1 worker:  ${Math.round(one).toLocaleString('en-US')} events/s (rounds: ${samples[1].map(Math.round).join(', ')})`,
    `2 workers: ${Math.round(two).toLocaleString('en-US')} events/s (rounds: ${samples[2].map(Math.round).join(', ')})`,
    `ratio: ${(two / one).toFixed(2)}×  (goal ≥ 1.7×)`,
  ].join('\n') + '\n',
);

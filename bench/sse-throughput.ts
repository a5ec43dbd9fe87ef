/**
 * SSE client cost: content events per second parsed and timestamped by inferbench on one core
 * across 1,000 concurrent streams, vs a bare undici loop that reads the same bytes without
 * parsing. The server (own process, core 1) sends a pre-built answer in one write, so the
 * client is the limit. Rounds alternate the two clients; medians are reported.
 *
 *   npm run bench:sse -- [--streams 1000] [--events 256] [--duration 10] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { machineLoad, median, pinnedTo, runToEnd, startScriptServer } from './support/processes.js';

const { values } = parseArgs({
  options: { streams: { type: 'string', default: '1000' }, events: { type: 'string', default: '256' }, duration: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } },
});
const server = await startScriptServer(1, 'bench/support/static-sse-server.ts', [values.events!]);
const url = `${server.url}/v1/chat/completions`;
const client = pinnedTo(0);
const loadBefore = await machineLoad();
const samples = { inferbench: [] as number[], bare: [] as number[] };
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    const ours = JSON.parse(await runToEnd([...client, process.execPath, '--import', 'tsx', 'bench/support/inferbench-sse.ts', url, values.streams!, values.duration!])) as { eventsPerSecond: number; failed: number };
    if (ours.failed) throw new Error(`inferbench saw ${ours.failed} failed streams`);
    const bare = JSON.parse(await runToEnd([...client, process.execPath, '--import', 'tsx', 'bench/support/bare-sse-loop.ts', url, values.streams!, values.duration!, values.events!])) as { eventsPerSecond: number };
    samples.inferbench.push(ours.eventsPerSecond);
    samples.bare.push(bare.eventsPerSecond);
    process.stderr.write(`round ${r + 1}: inferbench ${Math.round(ours.eventsPerSecond)} events/s, bare undici ${Math.round(bare.eventsPerSecond)} events/s\n`);
  }
} finally {
  await server.close();
}
const ours = median(samples.inferbench);
const bare = median(samples.bare);
process.stdout.write(
  [
    `SSE, ${values.streams} concurrent streams × ${values.events} content events, ${values.duration} s × ${values.rounds} rounds${client.length ? ', client on core 0, server on core 1' : ''}`,
    `${loadBefore} before, ${await machineLoad()} after`,
    `inferbench (parse + timestamp + record): ${Math.round(ours).toLocaleString('en-US')} events/s  (rounds: ${samples.inferbench.map(Math.round).join(', ')})`,
    `bare undici read loop (no parsing):      ${Math.round(bare).toLocaleString('en-US')} events/s  (rounds: ${samples.bare.map(Math.round).join(', ')})`,
    `ratio: ${(ours / bare).toFixed(2)}×  (goals: ≥ 1,000,000 events/s and ≥ 0.7×)`,
  ].join('\n') + '\n',
);

/**
 * SSE client cost: content events per second parsed, timestamped and recorded by inferbench on
 * one core across 1,000 concurrent streams, against two bare read loops that read the same
 * bytes without parsing: undici's dispatch handler (what inferbench used before its own HTTP/1.1
 * client) and raw sockets reading each answer to its content-length (the floor). The server
 * (own process, core 1) sends a pre-built answer in one write, so the client is the limit.
 * Rounds alternate the three clients; medians are reported.
 *
 * The inferbench run has no client tokenizer (`tokenizer: none`): token counting is not on the
 * hot path (usage comes with the answer; the tokenizer runs after the stream, off the event
 * loop, issue 12), so what this measures is the parse → timestamp → record path alone.
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
const samples = { inferbench: [] as number[], undici: [] as number[], socket: [] as number[] };
const loads: string[] = [];
const tsx = [...client, process.execPath, '--import', 'tsx'];
try {
  for (let r = 0; r < Number(values.rounds); r++) {
    const ours = JSON.parse(await runToEnd([...tsx, 'bench/support/inferbench-sse.ts', url, values.streams!, values.duration!])) as { eventsPerSecond: number; failed: number };
    if (ours.failed) throw new Error(`inferbench saw ${ours.failed} failed streams`);
    const undici = JSON.parse(await runToEnd([...tsx, 'bench/support/bare-sse-loop.ts', url, values.streams!, values.duration!, values.events!])) as { eventsPerSecond: number };
    const socket = JSON.parse(await runToEnd([...tsx, 'bench/support/bare-socket-loop.ts', url, values.streams!, values.duration!, values.events!])) as { eventsPerSecond: number };
    samples.inferbench.push(ours.eventsPerSecond);
    samples.undici.push(undici.eventsPerSecond);
    samples.socket.push(socket.eventsPerSecond);
    loads.push((await machineLoad()).replace(/^load average (\S+).*/, '$1'));
    process.stderr.write(`round ${r + 1}: inferbench ${Math.round(ours.eventsPerSecond)}, bare undici ${Math.round(undici.eventsPerSecond)}, bare sockets ${Math.round(socket.eventsPerSecond)} events/s (1-min load ${loads.at(-1)})\n`);
  }
} finally {
  await server.close();
}
const ours = median(samples.inferbench);
const undici = median(samples.undici);
const socket = median(samples.socket);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
process.stdout.write(
  [
    `SSE, ${values.streams} concurrent streams × ${values.events} content events, ${values.duration} s × ${values.rounds} rounds${client.length ? ', client on core 0, server on core 1' : ''}`,
    `${loadBefore} before, ${await machineLoad()} after (1-min load after each round: ${loads.join(', ')})`,
    `inferbench (parse + timestamp + record): ${fmt(ours)} events/s  (rounds: ${samples.inferbench.map(Math.round).join(', ')})`,
    `bare undici read loop (no parsing):      ${fmt(undici)} events/s  (rounds: ${samples.undici.map(Math.round).join(', ')})`,
    `bare socket read loop (no parsing):      ${fmt(socket)} events/s  (rounds: ${samples.socket.map(Math.round).join(', ')})`,
    `ratio vs bare undici: ${(ours / undici).toFixed(2)}×; vs bare sockets: ${(ours / socket).toFixed(2)}×  (goals: ≥ 1,000,000 events/s and ≥ 0.7×)`,
  ].join('\n') + '\n',
);

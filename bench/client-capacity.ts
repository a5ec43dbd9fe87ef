/**
 * Client capacity, unary HTTP at concurrency 50: inferbench vs autocannon (and `wrk -t1` when
 * installed), each in its own process pinned to core 0, against one target pinned to core 1:
 * nginx serving a static file when Debian's nginx is installed, else the reference server's
 * `GET /echo`. Runs alternate (inferbench, autocannon, wrk, inferbench, ...) so drift in the
 * machine's load hits every tool alike; the median of the rounds is reported.
 *
 *   npm run bench:capacity -- [--duration 10] [--rounds 3] [--target reference|nginx]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hasCommand, machineLoad, median, pinnedTo, runToEnd, startNginx, startReferenceServer, type ServerProcess } from './support/processes.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    target: { type: 'string', default: 'auto' },
  },
});
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

let server: ServerProcess | undefined;
let targetName = 'reference server GET /echo';
if (values.target !== 'reference') server = await startNginx(1, mkdtempSync(join(tmpdir(), 'inferbench-nginx-')));
if (server) targetName = 'nginx static file';
else if (values.target === 'nginx') throw new Error('--target nginx: nginx is not installed (apt-get install -y nginx-light)');
else server = await startReferenceServer(1);
const url = `${server.url}/echo`;
const client = pinnedTo(0);

const tools: Record<string, () => Promise<number>> = {
  inferbench: async () => {
    const out = await runToEnd([...client, process.execPath, '--import', 'tsx', 'bench/support/inferbench-unary.ts', url, String(connections), String(durationS)]);
    return (JSON.parse(out.trim().split('\n').pop()!) as { requestsPerSecond: number }).requestsPerSecond;
  },
  autocannon: async () => {
    const out = await runToEnd([...client, process.execPath, 'node_modules/autocannon/autocannon.js', '-c', String(connections), '-d', String(durationS), '--json', url]);
    const j = JSON.parse(out) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
    return (j.requests.total - j.non2xx - j.errors) / j.duration;
  },
};
if (hasCommand('wrk')) {
  tools['wrk -t1'] = async () => {
    const out = await runToEnd([...client, 'wrk', '-t1', `-c${connections}`, `-d${durationS}s`, url]);
    const m = /Requests\/sec:\s*([\d.]+)/.exec(out);
    if (!m) throw new Error(`cannot read wrk output:\n${out}`);
    return Number(m[1]);
  };
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
const loadBefore = await machineLoad();
try {
  for (let r = 0; r < rounds; r++) {
    for (const [name, measure] of Object.entries(tools)) {
      const rps = await measure();
      samples[name]!.push(rps);
      process.stderr.write(`round ${r + 1}/${rounds}  ${name.padEnd(11)} ${rps.toFixed(0)} req/s\n`);
    }
  }
} finally {
  await server.close();
}

const medianOf = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const lines = [
  `unary GET, c=${connections}, ${durationS} s × ${rounds} rounds, target: ${targetName}${client.length ? ' (client core 0, server core 1)' : ' (unpinned)'}`,
  `${loadBefore} before, ${await machineLoad()} after`,
  ...Object.entries(medianOf).map(([k, v]) => `${k.padEnd(11)} ${v.toFixed(0).padStart(7)} req/s  (rounds: ${samples[k]!.map((x) => x.toFixed(0)).join(', ')})`),
  `ratio inferbench / autocannon: ${(medianOf.inferbench! / medianOf.autocannon!).toFixed(2)}×`,
];
if (medianOf['wrk -t1']) lines.push(`ratio inferbench / wrk -t1:    ${(medianOf.inferbench! / medianOf['wrk -t1']).toFixed(2)}×`);
process.stdout.write(lines.join('\n') + '\n');

/**
 * What the client allocates under bench:timing's load (1,000 OpenAI streams against the
 * stamping server, 32 tokens each), sampled by V8's heap profiler with objects a GC already
 * collected included, over 4,000 measured requests: bytes per request and per content event,
 * and the functions that allocated most. Allocation is what drives young-generation GCs
 * (each a 7–28 ms stop of the client at this load, `--trace-gc`).
 *
 *   npm run bench:timing-alloc -- [--requests 6000]
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { run } from '../src/run/runner.js';
import { machineLoad, startScriptServer } from './support/processes.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '6000' } } });
const TOKENS = 32;
const requests = Number(values.requests);
// Sampled from the 500th measured request to 500 before the end: past the start, before the drain.
const from = 500;
const to = requests - 500;

interface SamplingNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: SamplingNode[];
}

const server = await startScriptServer(1, 'bench/support/stamping-sse-server.ts', ['--tokens', String(TOKENS)]);
const session = new Session();
session.connect();
let seen = 0;
let profile: Promise<{ profile: { head: SamplingNode } }> | undefined;
try {
  await run(
    { target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: TOKENS }, load: { concurrency: 1000, requests }, phases: { warmup: { requests: 1000 } }, tokenizer: 'none', output: { write: false } },
    {
      onRequest: (_t, phase) => {
        if (phase !== 'measure') return;
        seen++;
        if (seen === from) void session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        if (seen === to) profile = session.post('HeapProfiler.stopSampling') as Promise<{ profile: { head: SamplingNode } }>;
      },
    },
  );
} finally {
  await server.close();
}
const sites = new Map<string, number>();
let total = 0;
const walk = (n: SamplingNode) => {
  if (n.selfSize) {
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}`;
    sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  n.children.forEach(walk);
};
walk((await profile!).profile.head);
const sampled = to - from;
process.stdout.write(
  [
    `client allocation over ${sampled} requests (${sampled * TOKENS} content events), 1,000 streams; ${await machineLoad()}`,
    `total ${(total / 1e6).toFixed(1)} MB: ${(total / sampled / 1024).toFixed(1)} KiB a request, ${(total / (sampled * TOKENS)).toFixed(0)} bytes a content event`,
    ...[...sites].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1e6).toFixed(1).padStart(6)} MB  ${k}`),
  ].join('\n') + '\n',
);

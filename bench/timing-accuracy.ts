/**
 * Timing accuracy under load: 1,000 concurrent OpenAI streams against the reference server in
 * its own process (core 1), client on core 0. For every content event, the error of our
 * timestamp is (our arrival stamp − the server's ground-truth write stamp), both converted to
 * epoch ms on the one machine clock; ITL error is (our gap − the server's gap) per gap. p50/p99
 * of both are reported. The reference server's own event loop lag at this load is part of what
 * it stamps, not of our error: its stamps are taken right before each write.
 *
 *   npm run bench:timing -- [--streams 1000] [--requests 3000] [--ttft 100ms] [--itl 20ms] [--tokens 32]
 */
import { parseArgs } from 'node:util';
import { epochMsOf } from '../src/model/clock.js';
import type { Timeline } from '../src/model/timeline.js';
import { run } from '../src/run/runner.js';
import type { GroundTruthRecord } from '../src/server/ground-truth.js';
import { machineLoad, pinnedTo, startReferenceServer } from './support/processes.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '3000' },
    ttft: { type: 'string', default: 'lognormal:100ms:0.3' },
    itl: { type: 'string', default: 'lognormal:20ms:0.3' },
    tokens: { type: 'string', default: '32' },
    child: { type: 'boolean', default: false },
  },
});
if (!values.child && pinnedTo(0).length) {
  // Re-run this script pinned to core 0, with the server pinned to core 1.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(pinnedTo(0)[0]!, [...pinnedTo(0).slice(1), process.execPath, '--import', 'tsx', 'bench/timing-accuracy.ts', ...process.argv.slice(2), '--child'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const server = await startReferenceServer(1, ['--ttft', values.ttft!, '--itl', values.itl!, '--tokens', values.tokens!, '--max-records', values.requests!]);
const loadBefore = await machineLoad();
const timelines: Timeline[] = [];
const streams = Number(values.streams);
try {
  await run(
    {
      target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: Number(values.tokens) },
      load: { concurrency: streams, requests: Number(values.requests) },
      phases: { warmup: { requests: streams } },
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const truth = new Map(((await (await fetch(`${server.url}/ground-truth`)).json()) as GroundTruthRecord[]).map((g) => [g.id, g]));
  const stampErr: number[] = [];
  const itlErr: number[] = [];
  const ttftErr: number[] = [];
  for (const t of timelines) {
    const g = truth.get(t.serverRequestId!);
    if (!g) continue;
    const content = g.events.filter((e) => e.kind === 'content' && e.tokens > 0);
    if (content.length !== t.content.length) throw new Error(`request ${g.id}: ${t.content.length} events seen, ${content.length} written`);
    for (let i = 0; i < content.length; i++) {
      stampErr.push(epochMsOf(t.content[i]!.atMs) - (g.timeOriginMs + content[i]!.atMs));
      if (i > 0) itlErr.push(t.content[i]!.atMs - t.content[i - 1]!.atMs - (content[i]!.atMs - content[i - 1]!.atMs));
    }
    ttftErr.push(t.content[0]!.atMs - t.sentMs - (content[0]!.atMs - g.receivedMs));
  }
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  };
  const abs = (xs: number[]) => xs.map(Math.abs);
  const f = (x: number) => x.toFixed(3);
  process.stdout.write(
    [
      `${streams} concurrent streams, ${timelines.length} measured requests, ${stampErr.length} content events; reference server ttft ${values.ttft}, itl ${values.itl}, ${values.tokens} tokens`,
      `${loadBefore} before, ${await machineLoad()} after`,
      `event stamp lag (ours − server write):  p50 ${f(q(stampErr, 0.5))} ms  p99 ${f(q(stampErr, 0.99))} ms`,
      `ITL error |ours − truth| per gap:       p50 ${f(q(abs(itlErr), 0.5))} ms  p99 ${f(q(abs(itlErr), 0.99))} ms`,
      `TTFT error (ours − truth) per request:  p50 ${f(q(ttftErr, 0.5))} ms  p99 ${f(q(ttftErr, 0.99))} ms  (includes the request's own transit)`,
      `goal: p99 ≤ 1 ms`,
    ].join('\n') + '\n',
  );
} finally {
  await server.close();
}

/**
 * Timing accuracy under load: 1,000 concurrent OpenAI streams against a stamping server in its
 * own process (core 1; bench/support/stamping-sse-server.ts, one timer for every stream and a
 * write per event, cheap enough for 50,000 events/s; `--server reference` uses the reference
 * server instead), client on core 0. For every content event, the error of our
 * timestamp is (our arrival stamp − the server's ground-truth write stamp), both converted to
 * epoch ms on the one machine clock; ITL error is (our gap − the server's gap) per gap. p50/p99
 * of both are reported. The reference server's own event loop lag at this load is part of what
 * it stamps, not of our error: its stamps are taken right before each write; its own lateness
 * (write − due time) and event-loop delay are printed beside the client's.
 *
 *   npm run bench:timing -- [--streams 1000] [--requests 3000] [--ttft lognormal:100ms:0.3] [--itl lognormal:20ms:0.3] [--tokens 32] [--server stamping|reference]
 */
import { parseArgs } from 'node:util';
import { epochMsOf } from '../src/model/clock.js';
import type { Timeline } from '../src/model/timeline.js';
import { run } from '../src/run/runner.js';
import type { GroundTruthRecord } from '../src/server/ground-truth.js';
import { machineLoad, pinnedTo, startReferenceServer, startScriptServer } from './support/processes.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '3000' },
    ttft: { type: 'string', default: 'lognormal:100ms:0.3' },
    itl: { type: 'string', default: 'lognormal:20ms:0.3' },
    tokens: { type: 'string', default: '32' },
    server: { type: 'string', default: 'stamping' },
    child: { type: 'boolean', default: false },
  },
});
if (!values.child && pinnedTo(0).length) {
  // Re-run this script pinned to core 0, with the server pinned to core 1.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(pinnedTo(0)[0]!, [...pinnedTo(0).slice(1), process.execPath, '--import', 'tsx', 'bench/timing-accuracy.ts', ...process.argv.slice(2), '--child'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** `lognormal:100ms:0.3` → [100, 0.3]; a plain `20ms` → [20, 0]. */
function lognormalOf(text: string): [number, number] {
  const m = /^lognormal:([\d.]+)ms:([\d.]+)$/.exec(text) ?? /^([\d.]+)ms$/.exec(text);
  if (!m) throw new Error(`--server stamping takes lognormal:<ms>ms:<sigma> or <ms>ms, not ${text}`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}
const stamping = values.server === 'stamping';
const server = stamping
  ? await startScriptServer(1, 'bench/support/stamping-sse-server.ts', (() => {
      const [ttftMs, ttftSigma] = lognormalOf(values.ttft!);
      const [itlMs, itlSigma] = lognormalOf(values.itl!);
      return ['--ttft-ms', String(ttftMs), '--ttft-sigma', String(ttftSigma), '--itl-ms', String(itlMs), '--itl-sigma', String(itlSigma), '--tokens', values.tokens!];
    })())
  : await startReferenceServer(1, ['--ttft', values.ttft!, '--itl', values.itl!, '--tokens', values.tokens!, '--max-records', values.requests!]);
const loadBefore = await machineLoad();
const timelines: Timeline[] = [];
const streams = Number(values.streams);
try {
  const { results } = await run(
    {
      target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: Number(values.tokens) },
      load: { concurrency: streams, requests: Number(values.requests) },
      phases: { warmup: { requests: streams } },
      tokenizer: 'none',
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const health = results.points[0]!.measure.clientHealth;
  const serverStats = stamping ? ((await (await fetch(`${server.url}/stats`)).json()) as { latenessP50Ms: number; latenessP99Ms: number; latenessMaxMs: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuMs: number; uptimeMs: number }) : undefined;
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
      `${streams} concurrent streams, ${timelines.length} measured requests, ${stampErr.length} content events; ${values.server} server ttft ${values.ttft}, itl ${values.itl}, ${values.tokens} tokens`,
      `${loadBefore} before, ${await machineLoad()} after`,
      `event stamp lag (ours − server write):  p50 ${f(q(stampErr, 0.5))} ms  p99 ${f(q(stampErr, 0.99))} ms`,
      `ITL error |ours − truth| per gap:       p50 ${f(q(abs(itlErr), 0.5))} ms  p99 ${f(q(abs(itlErr), 0.99))} ms`,
      `TTFT error (ours − truth) per request:  p50 ${f(q(ttftErr, 0.5))} ms  p99 ${f(q(ttftErr, 0.99))} ms  (includes the request's own transit)`,
      `client: event-loop delay p99 ${f(health.eventLoopDelayMs.p99)} ms, max ${f(health.eventLoopDelayMs.max)} ms; thread busy ${((health.threadBusyShare ?? 0) * 100).toFixed(0)}%, CPU ${health.cpuPercent.toFixed(0)}% of a core`,
      serverStats
        ? `server (${values.server}): its writes' lateness vs plan p50 ${f(serverStats.latenessP50Ms)} / p99 ${f(serverStats.latenessP99Ms)} / max ${f(serverStats.latenessMaxMs)} ms; event-loop delay p99 ${f(serverStats.eventLoopDelayP99Ms)} ms, max ${f(serverStats.eventLoopDelayMaxMs)} ms; CPU ${((serverStats.cpuMs / serverStats.uptimeMs) * 100).toFixed(0)}% of a core over its life`
        : `server (reference): stamps right before each write; its loop lag is not reported`,
      `goal: p99 ≤ 1 ms`,
    ].join('\n') + '\n',
  );
} finally {
  await server.close();
}

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
 * The reference in the same run (`--client both`, the default): a bare stamping loop
 * (bench/support/bare-sse-client.ts: raw sockets, a stamp per read, no parsing or recording)
 * through the same load against a fresh server of its own: what any Node client gets of the
 * machine, the kernel and the server at this load. `--dump FILE` writes inferbench's
 * per-event lags (server write epoch ms, lag ms, request id, event index) for a time series.
 *
 *   npm run bench:timing -- [--streams 1000] [--requests 3000] [--ttft lognormal:100ms:0.3] [--itl lognormal:20ms:0.3] [--tokens 32] [--server stamping|reference] [--client both|inferbench|bare] [--dump lags.txt]
 */
import { parseArgs } from 'node:util';
import { epochMsOf } from '../src/model/clock.js';
import { CONTENT_STRIDE, contentColumns } from '../src/model/timeline.js';
import { run } from '../src/run/runner.js';
import type { GroundTruthRecord } from '../src/server/ground-truth.js';
import { bareStreams } from './support/bare-sse-client.js';
import { machineLoad, pinnedTo, startReferenceServer, startScriptServer, type ServerProcess } from './support/processes.js';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '3000' },
    ttft: { type: 'string', default: 'lognormal:100ms:0.3' },
    itl: { type: 'string', default: 'lognormal:20ms:0.3' },
    tokens: { type: 'string', default: '32' },
    server: { type: 'string', default: 'stamping' },
    client: { type: 'string', default: 'both' },
    child: { type: 'boolean', default: false },
    dump: { type: 'string' },
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
if (!stamping && values.client !== 'inferbench') throw new Error('the bare client reads the stamping server\'s answers only: use --client inferbench with --server reference');
const startServer = (): Promise<ServerProcess> =>
  stamping
    ? startScriptServer(1, 'bench/support/stamping-sse-server.ts', (() => {
        const [ttftMs, ttftSigma] = lognormalOf(values.ttft!);
        const [itlMs, itlSigma] = lognormalOf(values.itl!);
        return ['--ttft-ms', String(ttftMs), '--ttft-sigma', String(ttftSigma), '--itl-ms', String(itlMs), '--itl-sigma', String(itlSigma), '--tokens', values.tokens!];
      })())
    : startReferenceServer(1, ['--ttft', values.ttft!, '--itl', values.itl!, '--tokens', values.tokens!, '--max-records', values.requests!]);
const streams = Number(values.streams);
const requests = Number(values.requests);
const tokens = Number(values.tokens);
/** What the analysis keeps of a request: its ids and stamps in a typed array (kept objects would add to the client's GC work). */
interface Stamped {
  serverRequestId?: string;
  sentMs: number;
  /** Arrival stamp of each content event. */
  stamps: Float64Array;
}
interface ClientFigures {
  timelines: Stamped[];
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  busyShare: number;
  cpuPercent?: number;
}

const q = (xs: number[], p: number) => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};
const f = (x: number) => x.toFixed(3);

/** The p99s of each client's run, for the ratio line. */
const p99s: Partial<Record<'inferbench' | 'bare', { stampLag: number; itlError: number }>> = {};

/** One client through the whole load against a fresh server; its errors against that server's stamps, as lines to print. */
async function measure(client: 'inferbench' | 'bare'): Promise<string[]> {
  const server = await startServer();
  const loadBefore = await machineLoad();
  try {
    let figures: ClientFigures;
    if (client === 'bare') {
      const bare = await bareStreams(`${server.url}/v1/chat/completions`, streams, streams, requests, tokens);
      figures = { timelines: bare.timelines, loopDelayP99Ms: bare.eventLoopDelayP99Ms, loopDelayMaxMs: bare.eventLoopDelayMaxMs, busyShare: bare.threadBusyShare };
    } else {
      const timelines: Stamped[] = [];
      const { results } = await run(
        {
          target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: tokens },
          load: { concurrency: streams, requests },
          phases: { warmup: { requests: streams } },
          tokenizer: 'none',
          output: { write: false },
        },
        {
          onRequest: (t, phase) => {
            if (phase !== 'measure') return;
            const { count, events } = contentColumns(t);
            const stamps = new Float64Array(count);
            for (let i = 0; i < count; i++) stamps[i] = events[i * CONTENT_STRIDE]!;
            timelines.push({ serverRequestId: t.serverRequestId, sentMs: t.sentMs, stamps });
          },
        },
      );
      const health = results.points[0]!.measure.clientHealth;
      figures = { timelines, loopDelayP99Ms: health.eventLoopDelayMs.p99, loopDelayMaxMs: health.eventLoopDelayMs.max, busyShare: health.threadBusyShare ?? 0, cpuPercent: health.cpuPercent };
    }
    const serverStats = stamping ? ((await (await fetch(`${server.url}/stats`)).json()) as { latenessP50Ms: number; latenessP99Ms: number; latenessMaxMs: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuMs: number; uptimeMs: number }) : undefined;
    const truth = new Map(((await (await fetch(`${server.url}/ground-truth`)).json()) as GroundTruthRecord[]).map((g) => [g.id, g]));
    const stampErr: number[] = [];
    const itlErr: number[] = [];
    const ttftErr: number[] = [];
    const dumped: string[] = [];
    let unmatched = 0;
    for (const t of figures.timelines) {
      const g = truth.get(t.serverRequestId!);
      if (!g) continue;
      const content = g.events.filter((e) => e.kind === 'content' && e.tokens > 0);
      if (content.length !== t.stamps.length) {
        // The bare loop counts events per read and may miss one split across reads; inferbench must not.
        if (client === 'bare') {
          unmatched++;
          continue;
        }
        throw new Error(`request ${g.id}: ${t.stamps.length} events seen, ${content.length} written`);
      }
      for (let i = 0; i < content.length; i++) {
        stampErr.push(epochMsOf(t.stamps[i]!) - (g.timeOriginMs + content[i]!.atMs));
        if (values.dump && client === 'inferbench') dumped.push(`${(g.timeOriginMs + content[i]!.atMs).toFixed(3)} ${stampErr[stampErr.length - 1]!.toFixed(3)} ${g.id} ${i}`);
        if (i > 0) itlErr.push(Math.abs(t.stamps[i]! - t.stamps[i - 1]! - (content[i]!.atMs - content[i - 1]!.atMs)));
      }
      ttftErr.push(t.stamps[0]! - t.sentMs - (content[0]!.atMs - g.receivedMs));
    }
    if (values.dump && client === 'inferbench') (await import('node:fs')).writeFileSync(values.dump, dumped.join('\n') + '\n');
    p99s[client] = { stampLag: q(stampErr, 0.99), itlError: q(itlErr, 0.99) };
    return [
      `${client === 'bare' ? 'bare stamping loop (reference)' : 'inferbench'}: ${figures.timelines.length} measured requests, ${stampErr.length} content events${unmatched ? ` (${unmatched} requests with an event split across reads left out)` : ''}; ${loadBefore} before, ${await machineLoad()} after`,
      `  event stamp lag (client − server write):  p50 ${f(q(stampErr, 0.5))} ms  p99 ${f(q(stampErr, 0.99))} ms  (${((stampErr.filter((x) => x > 1).length / stampErr.length) * 100).toFixed(1)}% > 1 ms)`,
      `  ITL error |client − truth| per gap:       p50 ${f(q(itlErr, 0.5))} ms  p99 ${f(q(itlErr, 0.99))} ms`,
      `  TTFT error (client − truth) per request:  p50 ${f(q(ttftErr, 0.5))} ms  p99 ${f(q(ttftErr, 0.99))} ms  (includes the request's own transit)`,
      `  client: event-loop delay p99 ${f(figures.loopDelayP99Ms)} ms, max ${f(figures.loopDelayMaxMs)} ms; thread busy ${(figures.busyShare * 100).toFixed(0)}%${figures.cpuPercent === undefined ? '' : `, CPU ${figures.cpuPercent.toFixed(0)}% of a core`}`,
      serverStats
        ? `  server (${values.server}): its writes' lateness vs plan p50 ${f(serverStats.latenessP50Ms)} / p99 ${f(serverStats.latenessP99Ms)} / max ${f(serverStats.latenessMaxMs)} ms; event-loop delay p99 ${f(serverStats.eventLoopDelayP99Ms)} ms, max ${f(serverStats.eventLoopDelayMaxMs)} ms; CPU ${((serverStats.cpuMs / serverStats.uptimeMs) * 100).toFixed(0)}% of a core over its life`
        : `  server (reference): stamps right before each write; its loop lag is not reported`,
    ];
  } finally {
    await server.close();
  }
}

const lines = [`${streams} concurrent streams, ${requests} measured requests after ${streams} warm-up ones; ${values.server} server ttft ${values.ttft}, itl ${values.itl}, ${values.tokens} tokens`];
if (values.client !== 'bare') lines.push(...(await measure('inferbench')));
if (values.client !== 'inferbench') lines.push(...(await measure('bare')));
const { inferbench: ours, bare } = p99s;
if (ours && bare) lines.push(`ratio inferbench / bare stamping loop: p99 stamp lag ${(ours.stampLag / bare.stampLag).toFixed(2)}×, p99 ITL error ${(ours.itlError / bare.itlError).toFixed(2)}×`);
lines.push('goal: p99 stamp lag and p99 ITL error ≤ 1 ms');
process.stdout.write(lines.join('\n') + '\n');

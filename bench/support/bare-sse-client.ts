/**
 * The floor for bench:timing: a closed loop of OpenAI streams that does nothing but stamp. Raw
 * keep-alive sockets, one request's bytes rendered once, each read stamped first thing in its
 * callback (one shared read buffer, as inferbench's HTTP/1.1 pool reads), content events
 * counted by finding `"content":"` in the read, the answer's end by the chunked terminator at
 * the end of a read. No HTTP or SSE parsing, no recording beyond the stamps. Phased as
 * inferbench's run is: the warm-up requests drain, then every stream starts its measured ones.
 * What it measures of the server's stamps is what the machine, the kernel and the stamping server
 * give any client in Node; inferbench's figures beside it are what our pipeline adds.
 *
 * It relies on the stamping server's answers (bench/support/stamping-sse-server.ts): chunked,
 * one event per chunk, `x-inferbench-request-id` in the head, `0\r\n\r\n` last.
 */
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface BareTimeline {
  serverRequestId: string;
  sentMs: number;
  /** Arrival stamp of each content event, in order. */
  stamps: Float64Array;
}

export interface BareRun {
  timelines: BareTimeline[];
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  threadBusyShare: number;
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const CONTENT = Buffer.from('"content":"');
const ID_HEADER = Buffer.from('x-inferbench-request-id: ');
const TERMINATOR = Buffer.from('0\r\n\r\n');

/** `warmup` requests, then `requests` measured ones, over `streams` connections to `url` (plain http). */
export async function bareStreams(url: string, streams: number, warmup: number, requests: number, maxTokens: number): Promise<BareRun> {
  const u = new URL(url);
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Hello' }], max_tokens: maxTokens, stream: true });
  const request = Buffer.from(`POST ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\naccept: text/event-stream\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const total = warmup + requests;
  const timelines: BareTimeline[] = [];
  let issued = 0;
  let finished = 0;
  let measuring: { delay: ReturnType<typeof monitorEventLoopDelay>; elu: ReturnType<typeof performance.eventLoopUtilization> } | undefined;
  let done!: () => void;
  const allDone = new Promise<void>((resolve) => (done = resolve));

  /** Each connection's `next`, to start the measured requests together. */
  const starts: (() => void)[] = [];
  const open = () => {
    let current: (BareTimeline & { measured: boolean; count: number }) | undefined;
    let busy = false;
    const socket: Socket = connect({
      host: u.hostname,
      port: Number(u.port),
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          const at = performance.now();
          // Searches stay inside this read: past `n` the shared buffer holds older reads.
          const b = (buf as Buffer).subarray(0, n);
          const t = current!;
          if (t.serverRequestId === '') {
            const h = b.indexOf(ID_HEADER);
            if (h !== -1) t.serverRequestId = b.toString('latin1', h + ID_HEADER.byteLength, b.indexOf(13, h));
          }
          // The final chunk's empty delta has no content field; each content event is one stamp.
          for (let i = b.indexOf(CONTENT); i !== -1; i = b.indexOf(CONTENT, i + 1)) {
            if (t.count < t.stamps.length) t.stamps[t.count] = at;
            t.count++;
          }
          if (n >= TERMINATOR.byteLength && b.compare(TERMINATOR, 0, TERMINATOR.byteLength, n - TERMINATOR.byteLength, n) === 0) {
            busy = false;
            if (t.measured) timelines.push({ serverRequestId: t.serverRequestId, sentMs: t.sentMs, stamps: t.count <= t.stamps.length ? t.stamps.subarray(0, t.count) : new Float64Array(t.count) });
            finished++;
            if (finished === total) done();
            if (finished === warmup) {
              // As inferbench's phases do: the warm-up drains, then every stream starts its measured requests at once.
              measuring = { delay: monitorEventLoopDelay({ resolution: 1 }), elu: performance.eventLoopUtilization() };
              measuring.delay.enable();
              for (const start of starts) start();
            } else if (issued < warmup || measuring) next();
            // (the warm-up's last requests are out: this connection waits for the measured start)
          }
          return true;
        },
      },
    });
    const next = () => {
      if (issued >= total) {
        socket.end();
        return;
      }
      busy = true;
      current = { serverRequestId: '', sentMs: performance.now(), stamps: new Float64Array(maxTokens), count: 0, measured: issued >= warmup };
      issued++;
      socket.write(request);
    };
    // Idle (connected, no request out) connections start the measured requests; one still connecting starts them when it connects.
    let connected = false;
    starts.push(() => {
      if (connected && !busy) next();
    });
    socket.on('connect', () => {
      connected = true;
      if (issued < warmup || measuring) next();
    });
    socket.on('error', (err) => {
      throw err;
    });
  };
  for (let i = 0; i < streams; i++) open();
  await allDone;
  const m = measuring!;
  m.delay.disable();
  return { timelines, eventLoopDelayP99Ms: m.delay.percentile(99) / 1e6, eventLoopDelayMaxMs: m.delay.max / 1e6, threadBusyShare: performance.eventLoopUtilization(m.elu).utilization };
}

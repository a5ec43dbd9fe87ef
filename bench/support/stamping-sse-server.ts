/**
 * A stamping OpenAI-style SSE server cheap enough for 1,000 streams at 20 ms ITL (50,000
 * events/s) on one core, for bench/timing-accuracy.ts: raw sockets, one timer for every
 * stream's next event (a binary heap of due times), each event's bytes built from a template
 * and written with one `socket.write`, its stamp taken immediately before that write. Ground
 * truth in the reference server's format (`GET /ground-truth`: id, timeOriginMs, receivedMs,
 * events with atMs/kind/tokens); `GET /stats` reports this server's own lateness (each
 * event's write − its due time) and event-loop delay, to print beside the client's figures.
 *
 *   tsx bench/support/stamping-sse-server.ts --ttft-ms 100 --ttft-sigma 0.3 --itl-ms 20 --itl-sigma 0.3 --tokens 32 --seed 1
 *   → prints "listening on http://127.0.0.1:PORT"
 */
import { createServer, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seededRng, standardNormal } from '../../src/random.js';

const { values } = parseArgs({
  options: {
    'ttft-ms': { type: 'string', default: '100' },
    'ttft-sigma': { type: 'string', default: '0.3' },
    'itl-ms': { type: 'string', default: '20' },
    'itl-sigma': { type: 'string', default: '0.3' },
    tokens: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});
const TOKENS = Number(values.tokens);
const rng = seededRng(Number(values.seed));
const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * standardNormal(rng));
const ttft = () => lognormal(Number(values['ttft-ms']), Number(values['ttft-sigma']));
const itl = () => lognormal(Number(values['itl-ms']), Number(values['itl-sigma']));

interface Stream {
  id: string;
  socket: Socket;
  receivedMs: number;
  /** Next event: 0..TOKENS-1 content, TOKENS the finish + usage + [DONE]. */
  next: number;
  dueMs: number;
  stamps: Float64Array;
}

// Ground truth of finished and running streams, in the reference server's record shape.
const records = new Map<string, { stream: Stream; endMs: number | null }>();
let nextId = 1;
const lateness: number[] = [];
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

/** The streams by next due time (a binary heap), driven by one timer. */
const heap: Stream[] = [];
function push(s: Stream): void {
  heap.push(s);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p]!.dueMs <= s.dueMs) break;
    heap[i] = heap[p]!;
    i = p;
  }
  heap[i] = s;
  arm();
}
function pop(): Stream {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && heap[r]!.dueMs < heap[l]!.dueMs ? r : l;
      if (heap[c]!.dueMs >= last.dueMs) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
  return top;
}

let timer: NodeJS.Timeout | undefined;
let timerAtMs = Infinity;
function arm(): void {
  const due = heap[0]?.dueMs ?? Infinity;
  if (due >= timerAtMs) return;
  if (timer) clearTimeout(timer);
  timerAtMs = due;
  timer = setTimeout(tick, Math.max(0, due - performance.now()));
}
function tick(): void {
  timer = undefined;
  timerAtMs = Infinity;
  while (heap.length && heap[0]!.dueMs <= performance.now()) {
    const s = pop();
    if (s.socket.destroyed) continue;
    writeEvent(s);
    if (s.next <= TOKENS) push(s);
  }
  arm();
}

const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
function writeEvent(s: Stream): void {
  const k = s.next++;
  let bytes: string;
  if (k < TOKENS) {
    bytes = chunk(`data: {"id":"chatcmpl-${s.id}","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"content":" t${k}"},"logprobs":null,"finish_reason":null}]}\n\n`);
  } else {
    bytes =
      chunk(`data: {"id":"chatcmpl-${s.id}","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":8,"completion_tokens":${TOKENS},"total_tokens":${TOKENS + 8}}}\n\ndata: [DONE]\n\n`) + '0\r\n\r\n';
  }
  const at = performance.now();
  s.socket.write(bytes);
  if (k < TOKENS) {
    s.stamps[k] = at;
    lateness.push(at - s.dueMs);
    s.dueMs += itl();
  } else {
    records.get(s.id)!.endMs = at;
  }
}

function answer(socket: Socket, head: string): void {
  const [method, path] = head.split(' ', 2);
  if (method === 'GET' && path === '/ground-truth') return json(socket, [...records.values()].filter((r) => r.endMs !== null).map(truthOf));
  if (method === 'GET' && path === '/stats') {
    const sorted = Float64Array.from(lateness).sort();
    const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0);
    const cpu = process.cpuUsage();
    return json(socket, { events: sorted.length, cpuMs: (cpu.user + cpu.system) / 1000, uptimeMs: performance.now(), latenessP50Ms: q(0.5), latenessP99Ms: q(0.99), latenessMaxMs: q(1), eventLoopDelayP99Ms: delay.percentile(99) / 1e6, eventLoopDelayMaxMs: delay.max / 1e6 });
  }
  const id = String(nextId++);
  const s: Stream = { id, socket, receivedMs: performance.now(), next: 0, dueMs: 0, stamps: new Float64Array(TOKENS) };
  s.dueMs = s.receivedMs + ttft();
  records.set(id, { stream: s, endMs: null });
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-inferbench-request-id: ${id}\r\ntransfer-encoding: chunked\r\n\r\n`);
  push(s);
}

function truthOf({ stream: s, endMs }: { stream: Stream; endMs: number | null }) {
  return {
    id: s.id,
    timeOriginMs: performance.timeOrigin,
    receivedMs: s.receivedMs,
    endMs,
    outputTokens: TOKENS,
    events: Array.from(s.stamps, (atMs) => ({ atMs, kind: 'content', tokens: 1 })),
  };
}

function json(socket: Socket, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
  socket.write(body);
}

/** Reads requests off a keep-alive connection: head, then a content-length body (discarded). */
const server = createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    for (;;) {
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = pending.toString('latin1', 0, end);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (pending.length < total) return;
      pending = pending.subarray(total);
      answer(socket, head);
    }
  });
  socket.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));

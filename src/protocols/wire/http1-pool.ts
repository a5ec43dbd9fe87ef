import { connect, type Socket } from 'node:net';
import { nowMs } from '../../model/clock.js';
import { runDueSends } from '../../model/send-pump.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import type { RequestInput } from '../types.js';
import { AnswerFollower, describeNetworkError, timeoutMessage, type BodyConsumer, type HttpRequestSpec } from './http-exchange.js';
import { HttpFramingError, Http1ResponseReader } from './http1-response.js';

/**
 * A keep-alive HTTP/1.1 client for plain-HTTP targets: one pool of connections per origin,
 * each request's bytes rendered once (and kept while the request is constant), answers read
 * into one reused buffer and parsed here (status line, the few headers a benchmark needs,
 * content-length, chunked and read-to-close bodies), one timer for every deadline in the pool
 * and one stop listener per run signal instead of a timer and a listener per request.
 *
 * Hand-written instead of undici for measured reasons (BENCHMARKS.md, bench:capacity and
 * bench:sse): at c=50 against nginx, undici's dispatch path (request object and header
 * validation per request, llhttp callbacks, handler wrapping, a `setTimeout` and an abort
 * listener per request — the listener walk alone was 2.5% of the client's CPU at 1,000
 * streams) held inferbench to 0.57× autocannon. Anything this client does not speak
 * (https, a proxy) goes through undici (http-exchange.ts); test/protocols/http1-pool.test.ts
 * and test/protocols/http1-response.test.ts hold it to keep-alive, chunked, byte-split and failure cases.
 */

/** Read buffer shared by every connection: a read is handled before the next one is made, so nothing outlives its callback. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

type StopReason = 'timeout' | 'aborted';

/** One request in the pool: its spec, its timeline, and how its answer is being read. */
class Exchange {
  readonly answer: AnswerFollower;
  resolve!: (t: Timeline) => void;
  settled = false;
  /** When the call was dispatched (its start while it waits for or opens a connection). */
  readonly startedMs: number;
  /** Absolute monotonic deadline of the whole request: from its start, or from its write on a kept-alive connection. */
  deadlineMs: number;
  connection: Connection | undefined;

  constructor(
    readonly spec: HttpRequestSpec,
    readonly bytes: Buffer,
    readonly input: RequestInput,
    readonly tl: TimelineBuilder,
    makeConsumer: (tl: TimelineBuilder) => BodyConsumer,
  ) {
    this.answer = new AnswerFollower(tl, makeConsumer);
    this.startedMs = tl.t.sentMs;
    this.deadlineMs = this.startedMs + spec.timeoutMs;
  }

  settle(t: Timeline): void {
    if (this.settled) return;
    this.settled = true;
    this.connection = undefined;
    this.resolve(t);
  }

  stop(reason: StopReason): void {
    if (this.settled) return;
    const tl = this.tl;
    const c = this.connection;
    if (c) {
      c.exchange = undefined;
      c.destroy();
    }
    this.settle(reason === 'timeout' ? tl.finish('timeout', timeoutMessage(this.spec.statedTimeoutMs ?? this.spec.timeoutMs)) : tl.finish('aborted', 'run stopped'));
  }

  fail(err: unknown): void {
    if (this.settled) return;
    // Bytes that are not HTTP (a bad chunk size, a head without its end) are the server's protocol error.
    const malformed = err instanceof HttpFramingError;
    this.settle(this.tl.finish(malformed ? 'protocol_error' : 'connection_error', describeNetworkError(err, this.spec.url, this.answer.headersSeen)));
  }
}

/** One socket and the request it carries. */
class Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
  connected = false;
  /** No request written yet: the first one on it opened it, and its wait until the write is its `connect`. */
  private fresh = true;
  idleSinceMs = 0;
  private readonly reader = new Http1ResponseReader();
  private closed = false;

  constructor(private readonly pool: Http1Pool) {
    this.socket = connect({
      host: pool.host,
      port: pool.port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.read(n, buf as Buffer) },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      const ex = this.exchange;
      if (ex) this.write(ex);
    });
    this.socket.on('error', (err) => this.lost(err));
    this.socket.on('close', () => this.lost(undefined));
  }

  get reusable(): boolean {
    return this.reader.reusable && !this.closed;
  }

  get idleLimitMs(): number {
    return this.reader.idleLimitMs;
  }

  /** Starts `ex` on this (idle or connecting) connection. */
  assign(ex: Exchange): void {
    this.exchange = ex;
    ex.connection = this;
    this.reader.begin(ex.spec.method === 'HEAD');
    if (this.connected) this.write(ex);
  }

  /**
   * One clock for timeout and latency (`connect`, as http-exchange.ts does for
   * undici): on the connection opened for it, a call's wait from its start to this write is its
   * connect and its timeout keeps running from its start; on a kept-alive connection both its
   * latency and its timeout start here (a wait in the pool's queue is the client's time).
   */
  private write(ex: Exchange): void {
    const tl = ex.tl;
    tl.sent();
    if (this.fresh) {
      this.fresh = false;
      tl.t.connectMs = Math.max(0, tl.t.sentMs - ex.startedMs);
    } else ex.deadlineMs = tl.t.sentMs + ex.spec.timeoutMs;
    this.socket.write(ex.bytes);
  }

  /**
   * Closes the socket and takes the connection out of the pool at once: its 'close' event comes
   * a tick later, and an idle connection destroyed by the sweep but still in the idle list was
   * handed the next request meanwhile (which then failed as "other side closed": 16–35 of
   * 50,104 requests at 5,000/s against nginx in bench:open-loop).
   */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
    this.pool.forget(this);
  }

  /** The socket failed or closed: a read-to-close body ends here, anything else in flight failed. */
  private lost(err: Error | undefined): void {
    this.closed = true;
    this.pool.forget(this);
    const ex = this.exchange;
    if (!ex) return;
    this.exchange = undefined;
    if (!err && this.reader.endsAtClose) return ex.settle(ex.answer.complete(nowMs()));
    if (!err && this.reader.inPartialHead) return ex.fail(new HttpFramingError('the connection closed inside the response head (headers without their blank line)'));
    ex.fail(err ?? Object.assign(new Error(ex.answer.headersSeen ? 'other side closed mid-response' : 'other side closed'), { code: 'UND_ERR_SOCKET' }));
  }

  private read(n: number, buf: Buffer): boolean {
    const at = nowMs();
    // Open-loop sends that fell due leave before this answer is handled (model/send-pump.ts).
    runDueSends();
    const ex = this.exchange;
    if (!ex) {
      // Bytes nobody asked for: the connection's framing is lost.
      this.destroy();
      return false;
    }
    let ended: number;
    try {
      ended = this.reader.feed(buf, n, at, ex.answer);
    } catch (err) {
      this.exchange = undefined;
      this.destroy();
      ex.fail(err);
      return false;
    }
    if (ex.answer.failure) {
      // The protocol's reading code threw: the request is that protocol_error, and the rest of its body is not read.
      this.exchange = undefined;
      this.destroy();
      ex.settle(ex.answer.failure);
      return false;
    }
    if (ended >= 0 && !ex.settled) {
      this.exchange = undefined;
      ex.settle(ex.answer.complete(nowMs()));
      this.pool.release(this);
    }
    return true;
  }
}

/** The connections to one origin, at most `maxConnections`, with a FIFO of requests waiting for one. */
export class Http1Pool {
  readonly host: string;
  readonly port: number;
  private readonly hostHeader: string;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private waiting: Exchange[] = [];
  private waitingHead = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepEveryMs = 100;
  private readonly signals = new Map<AbortSignal, () => void>();
  /** The last constant request and its rendered bytes. */
  private lastSpec: HttpRequestSpec | undefined;
  private lastBytes: Buffer | undefined;
  private closed = false;

  constructor(
    url: URL,
    private readonly maxConnections: number,
  ) {
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
  }

  /** Sends one request and follows its answer; never rejects (failures are outcomes). */
  exchange(spec: HttpRequestSpec, input: RequestInput, makeConsumer: (tl: TimelineBuilder) => BodyConsumer, tl: TimelineBuilder = new TimelineBuilder(input.index, input.scheduledMs)): Promise<Timeline> {
    let bytes: Buffer;
    if (spec === this.lastSpec) bytes = this.lastBytes!;
    else {
      const rendered = this.render(spec);
      if (typeof rendered === 'string') {
        tl.sent();
        return Promise.resolve(tl.finish('connection_error', describeNetworkError(new Error(rendered), spec.url, false)));
      }
      bytes = rendered;
      if (spec.constant) {
        this.lastSpec = spec;
        this.lastBytes = bytes;
      }
    }
    tl.t.bytesOut += spec.body === undefined ? 0 : typeof spec.body === 'string' ? Buffer.byteLength(spec.body) : spec.body.byteLength;
    // The call starts now (its timeout runs from here); `sent` moves to the socket write.
    tl.sent();
    const ex = new Exchange(spec, bytes, input, tl, makeConsumer);
    const promise = new Promise<Timeline>((resolve) => (ex.resolve = resolve));
    if (input.signal.aborted || this.closed) {
      ex.stop('aborted');
      return promise;
    }
    this.watch(input.signal);
    this.armSweep(spec.timeoutMs);
    const idle = this.idle.pop();
    if (idle) idle.assign(ex);
    else if (this.all.size < this.maxConnections) this.open().assign(ex);
    else this.waiting.push(ex);
    return promise;
  }

  /** The request's bytes: request line, host, the spec's headers, content-length, body; a string when a header cannot be sent. */
  private render(spec: HttpRequestSpec): Buffer | string {
    let path = spec.path;
    if (path === undefined) {
      const u = new URL(spec.url);
      path = u.pathname + u.search;
    }
    let head = `${spec.method} ${path} HTTP/1.1\r\n`;
    let hasHost = false;
    for (const name in spec.headers) {
      const value = spec.headers[name]!;
      if (!isToken(name)) return `invalid header name ${JSON.stringify(name)}`;
      if (/[\r\n\0]/.test(value)) return `invalid value for header ${name} (it holds a line break)`;
      const lower = name.toLowerCase();
      if (lower === 'content-length') continue;
      if (lower === 'host') hasHost = true;
      head += `${name}: ${value}\r\n`;
    }
    if (!hasHost) head = head.replace('\r\n', `\r\nhost: ${this.hostHeader}\r\n`);
    const body = spec.body === undefined ? undefined : typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
    if (body !== undefined || spec.method === 'POST' || spec.method === 'PUT' || spec.method === 'PATCH') head += `content-length: ${body?.byteLength ?? 0}\r\n`;
    head += '\r\n';
    const headBytes = Buffer.from(head, 'latin1');
    return body === undefined || body.byteLength === 0 ? headBytes : Buffer.concat([headBytes, body]);
  }

  private open(): Connection {
    const c = new Connection(this);
    this.all.add(c);
    return c;
  }

  /** A connection finished its answer: it takes the next waiting request, or waits idle. */
  release(c: Connection): void {
    if (!c.reusable || this.closed) {
      c.destroy();
      this.forget(c);
      this.startWaiting();
      return;
    }
    const next = this.nextWaiting();
    if (next) return c.assign(next);
    c.idleSinceMs = nowMs();
    this.idle.push(c);
  }

  /** A connection closed: out of the pool; a waiting request may open a new one. */
  forget(c: Connection): void {
    if (!this.all.delete(c)) return;
    const i = this.idle.indexOf(c);
    if (i !== -1) this.idle.splice(i, 1);
    this.startWaiting();
  }

  private startWaiting(): void {
    while (this.all.size < this.maxConnections && !this.closed) {
      const next = this.nextWaiting();
      if (!next) return;
      this.open().assign(next);
    }
  }

  private nextWaiting(): Exchange | undefined {
    while (this.waitingHead < this.waiting.length) {
      const ex = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as Exchange;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitingHead);
        this.waitingHead = 0;
      }
      if (!ex.settled) return ex;
    }
    return undefined;
  }

  /** One listener per run signal: a stop aborts every request of this pool that carries it. */
  private watch(signal: AbortSignal): void {
    if (this.signals.has(signal)) return;
    // The waiting requests first: a connection that an in-flight stop closes hands the next waiting one a new connection.
    const onAbort = () => {
      for (let i = this.waitingHead; i < this.waiting.length; i++) {
        const ex = this.waiting[i];
        if (ex && ex.input.signal === signal) ex.stop('aborted');
      }
      for (const c of [...this.all]) if (c.exchange?.input.signal === signal) c.exchange.stop('aborted');
    };
    this.signals.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /**
   * One interval for every deadline in the pool (whole-request timeouts, idle keep-alive
   * limits) instead of a `setTimeout` per request: it checks each connection and the waiting
   * requests every 2% of the timeout (1 ms to 100 ms), so a timeout fires at most that late.
   */
  private armSweep(timeoutMs: number): void {
    const every = Math.min(100, Math.max(1, Math.floor(timeoutMs / 50)));
    if (this.sweepTimer && every >= this.sweepEveryMs) return;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepEveryMs = every;
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    const now = nowMs();
    for (const c of this.all) {
      const ex = c.exchange;
      if (ex) {
        if (now >= ex.deadlineMs) ex.stop('timeout');
      } else if (c.connected && now - c.idleSinceMs >= c.idleLimitMs) {
        c.destroy();
      }
    }
    for (let i = this.waitingHead; i < this.waiting.length; i++) {
      const ex = this.waiting[i];
      if (ex && !ex.settled && now >= ex.deadlineMs) ex.stop('timeout');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const [signal, onAbort] of this.signals) signal.removeEventListener('abort', onAbort);
    this.signals.clear();
    for (let i = this.waitingHead; i < this.waiting.length; i++) this.waiting[i]?.stop('aborted');
    this.waiting = [];
    for (const c of [...this.all]) {
      c.exchange?.stop('aborted');
      c.destroy();
    }
    this.all.clear();
    this.idle.length = 0;
  }
}

function isToken(name: string): boolean {
  return name.length > 0 && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}

import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { buildConnector, Dispatcher } from 'undici';
import { nowMs } from '../../model/clock.js';
import { TimelineBuilder, type OutcomeKind, type Timeline } from '../../model/timeline.js';
import type { RequestInput } from '../types.js';
import { consumerFailureMessage } from './consumer-failure.js';

/** What a protocol does with a response body as it arrives. */
export interface BodyConsumer {
  /**
   * Called for each body chunk with its arrival time. Return true once the terminal event was
   * seen. `data` is valid only during the call: copy what you keep (the plain-HTTP transport
   * reads every socket into one reused buffer).
   */
  chunk(data: Uint8Array, atMs: number): boolean | void;
  /**
   * {@link chunk} on `buf[start, end)`, when the consumer can read a range without a view
   * made for it (the plain-HTTP transport's reads; saves an object per chunk on the hot path).
   */
  chunkRange?(buf: Buffer, start: number, end: number, atMs: number): boolean | void;
  /** Called when the body ended; decides the outcome (a stream that ended early is a failure). */
  end(atMs: number): { outcome: OutcomeKind; error?: string };
}

export interface HttpRequestSpec {
  /** The whole URL, for messages. */
  url: string;
  /** Parsed once by the caller when the URL is constant; derived from `url` otherwise. */
  origin?: string;
  path?: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  /** The call's whole timeout, named in a timeout's message, when `timeoutMs` is what remains of it (the second exchange of one call). */
  statedTimeoutMs?: number;
  /** This same object is sent again unchanged (no placeholders): a transport may keep its rendered bytes. */
  constant?: boolean;
}

export const REQUEST_ID_HEADER = 'x-inferbench-request-id';
const PREVIEW_BYTES = 2048;

/** Connections per origin when the caller names no bound (the runner passes the load's own). */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/**
 * One connection pool per client, keep-alive, no pipelining (what inference clients do),
 * bounded to the most requests the load keeps in flight. Unbounded, an open loop that falls
 * behind opened a new connection per queued request, spent its CPU connecting and ended in
 * EMFILE (BENCHMARKS.md, open loop); bounded, the backlog waits for a connection and shows
 * up where it belongs, in queue_delay and in latency from the intended start.
 */
export function createDispatcher(maxConnections: number = DEFAULT_MAX_CONNECTIONS): Dispatcher {
  // Our own whole-request timer replaces undici's header/body idle timeouts.
  // undici loads with the first dispatcher: plain-HTTP targets never need it (http1-pool.ts).
  const undici = loadUndici();
  return new undici.Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    pipelining: 1,
    headersTimeout: 0,
    bodyTimeout: 0,
    connections: maxConnections,
    connect: timedConnector(undici),
  });
}

function loadUndici(): typeof import('undici') {
  return createRequire(import.meta.url)('undici') as typeof import('undici');
}

/**
 * What every HTTP transport does with an answer, whatever reads the socket: the `headers`
 * and first-byte marks, the reference server's request id, body chunks through the
 * protocol's consumer (or up to 2 KiB of an error body), and the verdict at the end.
 */
export class AnswerFollower {
  private consumer: BodyConsumer | undefined;
  private errorBody: Buffer[] | undefined;
  private errorBytes = 0;
  private terminalAtMs: number | undefined;
  /**
   * The protocol's reading code threw on this answer: the request's protocol_error, naming the
   * event it choked on. Set once; the transport settles with it and stops reading (the reading
   * code of every HTTP protocol runs here, so no protocol can turn a wrong shape into a crash).
   */
  failure: Timeline | undefined;

  constructor(
    readonly tl: TimelineBuilder,
    private readonly makeConsumer: (tl: TimelineBuilder) => BodyConsumer,
  ) {}

  get headersSeen(): boolean {
    return this.tl.t.headersMs !== undefined;
  }

  headers(status: number, requestId: string | undefined, atMs: number): void {
    const tl = this.tl;
    tl.headers(status, atMs);
    tl.firstByte(atMs);
    if (requestId !== undefined) tl.t.serverRequestId = requestId;
    if (status >= 400) this.errorBody = [];
    else {
      try {
        this.consumer = this.makeConsumer(tl);
      } catch (err) {
        this.fail(err);
      }
    }
  }

  /** One piece of the body; `chunk` is valid only during the call (transports may reuse their read buffer). */
  data(chunk: Uint8Array, atMs: number): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.dataRange(buf, 0, buf.byteLength, atMs);
  }

  /** {@link data} on `buf[start, end)`. */
  dataRange(buf: Buffer, start: number, end: number, atMs: number): void {
    if (this.failure) return;
    this.tl.t.bytesIn += end - start;
    if (this.errorBody) {
      if (this.errorBytes < PREVIEW_BYTES) this.errorBody.push(Buffer.from(buf.subarray(start, Math.min(end, start + PREVIEW_BYTES - this.errorBytes))));
      this.errorBytes += end - start;
    } else {
      const consumer = this.consumer!;
      try {
        const terminal = consumer.chunkRange ? consumer.chunkRange(buf, start, end, atMs) : consumer.chunk(start === 0 && end === buf.byteLength ? buf : buf.subarray(start, end), atMs);
        if (terminal && this.terminalAtMs === undefined) this.terminalAtMs = atMs;
      } catch (err) {
        this.fail(err, buf.subarray(start, end));
      }
      this.tl.sealChunk();
    }
  }

  /** The body ended as its framing said: the consumer's verdict (an error status: the server's message). */
  complete(endAtMs: number): Timeline {
    if (this.failure) return this.failure;
    const tl = this.tl;
    if (this.errorBody) {
      const preview = Buffer.concat(this.errorBody).toString('utf8').slice(0, PREVIEW_BYTES);
      tl.t.bodyPreview = preview;
      return tl.finish('http_error', `HTTP ${tl.t.status}: ${errorMessageOf(preview)}`, endAtMs);
    }
    let verdict: { outcome: OutcomeKind; error?: string };
    try {
      verdict = (this.consumer ?? this.makeConsumer(tl)).end(endAtMs);
    } catch (err) {
      this.fail(err);
      return this.failure!;
    }
    return tl.finish(verdict.outcome, verdict.error, this.terminalAtMs ?? endAtMs);
  }

  private fail(err: unknown, data?: Uint8Array): void {
    this.failure ??= this.tl.finish('protocol_error', consumerFailureMessage(err, data));
  }
}

/**
 * Connection set-up time (`connect`, model/metrics.ts): when a call is written on a socket that was
 * opened for it, the wait from the call's start to that write (undici's new client, TCP, TLS) is
 * its connect, so the call's latency runs from its start, as its timeout does. Our connector marks
 * each new socket; undici writes a request's headers synchronously right after calling the
 * handler's onConnect, publishing `undici:client:sendHeaders` with the socket in between, so the
 * call whose onConnect ran last is the one on that socket.
 */
const newSockets = new WeakSet<Socket>();
/** The call whose onConnect ran last: on a new socket it gets its connect; on a kept-alive one its timeout restarts at the write, where its latency starts. */
let connecting: { tl: TimelineBuilder; startedMs: number; onReusedSocket: () => void } | undefined;
let subscribed = false;

function timedConnector(undici: typeof import('undici')): buildConnector.connector {
  const base = undici.buildConnector({});
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:client:sendHeaders', (message) => {
      const { socket } = message as { socket: Socket };
      const call = connecting;
      connecting = undefined;
      if (!call) return;
      if (newSockets.has(socket)) {
        newSockets.delete(socket);
        call.tl.t.connectMs = Math.max(0, call.tl.t.sentMs - call.startedMs);
      } else call.onReusedSocket();
    });
  }
  return (options, callback) => {
    base(options, (err, socket) => {
      if (socket) newSockets.add(socket as Socket);
      (callback as (e: Error | null, s: Socket | null) => void)(err, socket as Socket | null);
    });
  };
}

/**
 * Sends one HTTP request through undici and follows its response, filling the timeline:
 * `sent` when the request's last byte was handed to the socket, `headers` (= first byte for
 * HTTP/1.1), body chunks through the consumer, end. Status ≥ 400 becomes `http_error` with
 * the server's message; a whole-request timeout becomes `timeout`; the run's stop signal
 * becomes `aborted`; socket failures become `connection_error` with their cause.
 * Whatever the consumer throws on an answer it did not expect (`data: null`) is a
 * `protocol_error` naming the event ({@link AnswerFollower}). It never throws. Plain-HTTP targets go through {@link Http1Pool} instead (http1-pool.ts);
 * this path serves https, a call whose origin is not the pool's, and the protocols that bring
 * their own dispatcher (Gradio).
 *
 * Written against undici's dispatch handler rather than `request()`: chunks are stamped
 * in the callback that receives them from the socket parser (no stream or async-iterator
 * hop between arrival and timestamp), and `onConnect` (called by undici right before it
 * writes the request to its socket) gives the true send time instead of the time we asked
 * undici to send, which can wait for a free connection. Measured on this repo's reference server at
 * concurrency 32: `request()` stamped sends a median 0.8 ms (p90 17 ms) before they reached
 * the socket, which alone broke the 2 ms TTFT tolerance.
 */
export function httpExchange(
  dispatcher: Dispatcher,
  spec: HttpRequestSpec,
  input: RequestInput,
  makeConsumer: (tl: TimelineBuilder) => BodyConsumer,
  tl: TimelineBuilder = new TimelineBuilder(input.index, input.scheduledMs),
): Promise<Timeline> {
  let origin = spec.origin;
  let path = spec.path;
  if (origin === undefined || path === undefined) {
    const url = new URL(spec.url);
    origin = url.origin;
    path = url.pathname + url.search;
  }
  tl.t.bytesOut += spec.body === undefined ? 0 : typeof spec.body === 'string' ? Buffer.byteLength(spec.body) : spec.body.byteLength;
  const answer = new AnswerFollower(tl, makeConsumer);
  return new Promise<Timeline>((resolve) => {
    let abortRequest: ((reason?: Error) => void) | undefined;
    let stopReason: 'timeout' | 'aborted' | undefined;
    let settled = false;

    const settle = (t: Timeline) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onStop);
      resolve(t);
    };
    const stop = (reason: 'timeout' | 'aborted') => {
      if (settled || stopReason) return;
      stopReason = reason;
      abortRequest?.(new Error(reason));
    };
    const onStop = () => stop('aborted');
    // The consumer threw: the request fails now with the event it choked on, and stops reading.
    const consumerFailed = (failure: Timeline) => {
      if (settled) return;
      settle(failure);
      stopReason ??= 'aborted';
      abortRequest?.(new Error('the answer could not be read'));
    };
    // Rounded up: Node truncates a fractional delay to whole ms (a 291.9 ms remainder of a 300 ms timeout fired at 299.1 ms).
    let timer = setTimeout(() => stop('timeout'), Math.ceil(spec.timeoutMs));
    input.signal.addEventListener('abort', onStop, { once: true });
    if (input.signal.aborted) stopReason = 'aborted';

    // The call starts now: the timeout runs from here, as the caller's wait does. `sent` moves to
    // the socket write in onConnect; a connection opened for this call is then its `connect`
    // (part of its latency), and on a kept-alive connection both the latency and the timeout
    // start at the write. One clock either way.
    tl.sent();
    const startedMs = tl.t.sentMs;
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        abortRequest = abort as (reason?: Error) => void;
        // Timed out (or stopped) while waiting for a connection: it never reached the wire.
        if (stopReason) return abort(new Error(stopReason));
        tl.sent();
        connecting = {
          tl,
          startedMs,
          // On a kept-alive connection the call starts at its write (undici may queue a burst
          // of dispatches for milliseconds first; that is the client's time, not the server's).
          onReusedSocket: () => {
            if (settled || stopReason) return;
            clearTimeout(timer);
            timer = setTimeout(() => stop('timeout'), Math.ceil(spec.timeoutMs));
          },
        };
      },
      onHeaders(statusCode, rawHeaders) {
        const at = nowMs();
        let requestId: string | undefined;
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          if (String(rawHeaders[i]).toLowerCase() === REQUEST_ID_HEADER) requestId = String(rawHeaders[i + 1]);
        }
        answer.headers(statusCode, requestId, at);
        if (answer.failure) {
          consumerFailed(answer.failure);
          return false;
        }
        return true;
      },
      onData(chunk) {
        if (settled) return true;
        answer.data(chunk, nowMs());
        if (answer.failure) consumerFailed(answer.failure);
        return true;
      },
      onComplete() {
        if (settled) return;
        settle(answer.complete(nowMs()));
      },
      onError(err) {
        // Already decided (a consumer failure): finishing again would rewrite the resolved timeline.
        if (settled) return;
        if (stopReason === 'timeout') return settle(tl.finish('timeout', timeoutMessage(spec.statedTimeoutMs ?? spec.timeoutMs)));
        if (stopReason === 'aborted') return settle(tl.finish('aborted', 'run stopped'));
        // Bytes that are not HTTP (a bad chunk size, headers without their end) are the server's protocol error;
        // a connection that broke (reset, closed early, refused) is a connection error.
        const malformed = (err as Error).name === 'HTTPParserError';
        settle(tl.finish(malformed ? 'protocol_error' : 'connection_error', describeNetworkError(err, spec.url, answer.headersSeen)));
      },
    };
    try {
      dispatcher.dispatch(
        { origin, path, method: spec.method as Dispatcher.HttpMethod, headers: spec.headers, body: spec.body },
        handler,
      );
    } catch (err) {
      settle(tl.finish('connection_error', describeNetworkError(err, spec.url, false)));
    }
  });
}

/** What a call that ran out of time says: the configured value and where it is set. */
export function timeoutMessage(timeoutMs: number): string {
  return `no complete answer within the ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`} timeout (target.timeout, --timeout)`;
}

/** The server's own message from a JSON error body (OpenAI, vLLM, TGI, FastAPI shapes), else the text. */
export function errorMessageOf(body: string): string {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = j.error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof e === 'string') return e;
    if (typeof j.message === 'string') return j.message;
    if (j.detail !== undefined) return typeof j.detail === 'string' ? j.detail : JSON.stringify(j.detail);
  } catch {
    // not JSON: fall through to the text
  }
  return body.trim().slice(0, 300) || '(empty body)';
}

/** "connect ECONNREFUSED 127.0.0.1:9" → a sentence naming the URL, the cause and the phase. */
export function describeNetworkError(err: unknown, url: string, afterHeaders: boolean): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause?.message ?? e.message ?? String(err);
  const code = e.cause?.code ?? e.code;
  const where = afterHeaders ? 'connection closed mid-response' : 'request failed';
  return `${where} (${url}): ${cause}${code && !cause.includes(code) ? ` [${code}]` : ''}`;
}

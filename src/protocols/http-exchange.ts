import { Agent, request, type Dispatcher } from 'undici';
import { nowMs } from '../clock.js';
import { TimelineBuilder, type OutcomeKind, type Timeline } from '../measure/timeline.js';
import type { RequestInput } from './types.js';

/** What a protocol does with a response body as it arrives. */
export interface BodyConsumer {
  /** Called for each body chunk with its arrival time. Return true once the terminal event was seen. */
  chunk(data: Uint8Array, atMs: number): boolean | void;
  /** Called when the body ended; decides the outcome (a stream that ended early is a failure). */
  end(atMs: number): { outcome: OutcomeKind; error?: string };
}

export interface HttpRequestSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
}

export const REQUEST_ID_HEADER = 'x-inferbench-request-id';
const PREVIEW_BYTES = 2048;

/** One connection pool per client, keep-alive, no pipelining (what inference clients do). */
export function createDispatcher(): Dispatcher {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, pipelining: 1 });
}

/**
 * Sends one HTTP request and follows its response, filling the timeline:
 * sent, headers (= first byte for HTTP/1.1), body chunks through the consumer, end.
 * Status ≥ 400 becomes `http_error` with the server's message; a whole-request timeout
 * becomes `timeout`; the run's stop signal becomes `aborted`; socket failures become
 * `connection_error` with their cause. It never throws.
 */
export async function httpExchange(
  dispatcher: Dispatcher,
  spec: HttpRequestSpec,
  input: RequestInput,
  makeConsumer: (tl: TimelineBuilder) => BodyConsumer,
  tl: TimelineBuilder = new TimelineBuilder(input.index, input.scheduledMs),
): Promise<Timeline> {
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  const signal = AbortSignal.any([input.signal, timeout]);
  tl.t.bytesOut += spec.body === undefined ? 0 : typeof spec.body === 'string' ? Buffer.byteLength(spec.body) : spec.body.byteLength;
  let terminalAtMs: number | undefined;
  try {
    tl.sent();
    const res = await request(spec.url, { dispatcher, method: spec.method as Dispatcher.HttpMethod, headers: spec.headers, body: spec.body, signal });
    const headersAt = nowMs();
    tl.headers(res.statusCode, headersAt);
    tl.firstByte(headersAt);
    const rid = res.headers[REQUEST_ID_HEADER];
    if (typeof rid === 'string') tl.t.serverRequestId = rid;
    if (res.statusCode >= 400) {
      const preview = await readPreview(res.body);
      tl.bytesIn(Buffer.byteLength(preview));
      tl.t.bodyPreview = preview;
      return tl.finish('http_error', `HTTP ${res.statusCode}: ${errorMessageOf(preview)}`);
    }
    const consumer = makeConsumer(tl);
    for await (const chunk of res.body) {
      const at = nowMs();
      tl.bytesIn(chunk.byteLength);
      if (consumer.chunk(chunk, at) && terminalAtMs === undefined) terminalAtMs = at;
    }
    const endAt = nowMs();
    const verdict = consumer.end(endAt);
    return tl.finish(verdict.outcome, verdict.error, terminalAtMs ?? endAt);
  } catch (err) {
    if (timeout.aborted) return tl.finish('timeout', `no complete answer within ${spec.timeoutMs} ms`);
    if (input.signal.aborted) return tl.finish('aborted', 'run stopped');
    return tl.finish('connection_error', describeNetworkError(err, spec.url, tl.t.headersMs !== undefined));
  }
}

async function readPreview(body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size > PREVIEW_BYTES * 32) break;
  }
  return Buffer.concat(parts).toString('utf8').slice(0, PREVIEW_BYTES);
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

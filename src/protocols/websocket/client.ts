import WebSocket from 'ws';
import { nowMs } from '../../model/clock.js';
import { FrameSource, placeFrames, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import { TimelineBuilder, type OutcomeKind, type Timeline } from '../../model/timeline.js';
import { ConfigError } from '../../model/config-error.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import { compileExtraction, extractionProblems, type Extractor } from '../wire/extraction.js';
import type { WebSocketTarget } from './schema.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { ProtocolClient, RequestInput, TemplateVars } from '../types.js';
import { consumerFailureMessage } from '../wire/consumer-failure.js';
import { requestTimeoutMs } from '../../scenario/fields.js';


/**
 * WebSocket client (ws 8). Connections are kept open and reused, one per request in flight,
 * as a real app keeps its socket: the handshake is not part of a request's latency (it is
 * recorded apart as `connect`). Each incoming message is a stream event; content, end and
 * usage come from the `*_path` options. Without `content_path` every message is content.
 */
export class WebSocketClient implements ProtocolClient {
  readonly family: FamilyOf;
  private readonly idle: WebSocket[] = [];
  private readonly all = new Set<WebSocket>();
  private readonly render: CompiledTemplate;
  private readonly extract: Extractor;
  private readonly timeoutMs: number;

  private constructor(
    private readonly target: WebSocketTarget,
    private readonly frames: FrameSource | undefined,
  ) {
    this.family = websocketFamily(target);
    this.render = compileTemplate(target.message, 'message');
    this.extract = compileExtraction(target);
    this.timeoutMs = requestTimeoutMs(target.timeout, true);
  }

  static async create(target: WebSocketTarget): Promise<WebSocketClient> {
    const problems = extractionProblems(target).map((p) => ({ path: `target.${p.path}`, message: p.message }));
    const frames = await FrameSource.forTarget(target, problems);
    if (problems.length) throw new ConfigError(problems);
    return new WebSocketClient(target, frames);
  }

  private connect(): Promise<WebSocket> {
    const ws = new WebSocket(this.target.url, { headers: this.target.headers, perMessageDeflate: false });
    this.all.add(ws);
    ws.on('close', () => {
      this.all.delete(ws);
      const i = this.idle.indexOf(ws);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        // A socket that errors while idle is dropped by its close event.
        ws.on('error', () => undefined);
        resolve(ws);
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`the server answered the WebSocket upgrade with HTTP ${res.statusCode}`)));
    });
  }

  /** The call's message from its vars (a build module's `message` replaces the template). */
  prepare(vars: TemplateVars): unknown {
    return vars.built?.message !== undefined ? vars.built.message : this.render(vars);
  }

  async send(input: RequestInput): Promise<Timeline> {
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    // One clock: the timeout runs from the call's start, connection set-up included.
    const deadlineMs = nowMs() + this.timeoutMs;
    let payload: string | Buffer;
    let batch: FrameBatch | undefined;
    try {
      let message = input.prepared !== undefined ? input.prepared : this.prepare(input.vars);
      if (this.frames) {
        message = structuredClone(message);
        batch = await this.frames.batch(input.index, input.signal);
        message = placeFrames((message ?? {}) as Record<string, unknown>, batch, this.target.frames!, input.index, 'base64', this.target.batch_size !== undefined);
      }
      payload = typeof message === 'string' ? message : JSON.stringify(message);
    } catch (err) {
      return tl.finish(input.signal.aborted ? 'aborted' : 'protocol_error', `cannot build the message: ${(err as Error).message}`);
    }
    let ws = this.idle.pop();
    if (!ws) {
      const connectStart = nowMs();
      try {
        ws = await this.connect();
      } catch (err) {
        return tl.finish('connection_error', `cannot open ${this.target.url}: ${(err as Error).message}`);
      }
      // The handshake is this call's connection set-up: its own metric, and part of its latency.
      tl.t.connectMs = nowMs() - connectStart;
    }
    const t = await this.exchange(ws, tl, payload, input, deadlineMs);
    if (batch) recordFrames(t, batch, this.target.batch_size !== undefined);
    return t;
  }

  private exchange(ws: WebSocket, tl: TimelineBuilder, payload: string | Buffer, input: RequestInput, deadlineMs: number): Promise<Timeline> {
    const echo = this.target.mode === 'echo';
    return new Promise<Timeline>((resolve) => {
      let finished = false;
      const done = (outcome: OutcomeKind, error?: string, at = nowMs(), reusable = outcome === 'ok') => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        ws.off('message', onMessage);
        ws.off('close', onClose);
        input.signal.removeEventListener('abort', onAbort);
        if (reusable && ws.readyState === WebSocket.OPEN) this.idle.push(ws);
        else void closeHandshake(ws, outcome === 'aborted' ? 1001 : 1000);
        resolve(tl.finish(outcome, error, at));
      };
      const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
        try {
          readMessage(data, isBinary);
        } catch (err) {
          // A message of an unexpected shape fails this request with it; the socket's state is unknown, so it is not reused.
          done('protocol_error', consumerFailureMessage(err, isBinary ? '<binary message>' : data.toString()), nowMs(), false);
        }
      };
      const readMessage = (data: WebSocket.RawData, isBinary: boolean) => {
        const at = nowMs();
        const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
        tl.firstByte(at);
        tl.bytesIn(bytes);
        if (isBinary) {
          tl.message(at);
          if (echo) done('ok', undefined, at);
          return;
        }
        const text = data.toString();
        // The step captures values from the answer: keep its last message.
        if (input.keepResponse) tl.t.responseText = text;
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the text itself is the content.
        }
        const x = typeof parsed === 'object' && parsed !== null ? this.extract(parsed) : { content: text, end: false };
        if (x.error) {
          tl.t.bodyPreview = x.error.slice(0, 512);
          return done('protocol_error', `in-band error: ${x.error}`, at, false);
        }
        const content = this.target.content_path ? x.content : text;
        if (content && !(x.end && !this.target.content_path)) tl.text(content, 1, at);
        else tl.event(at);
        if (x.usageTokens !== undefined) tl.t.usageTokens = x.usageTokens;
        if (echo || x.end) {
          tl.t.bodyPreview ??= text.slice(0, 512);
          done('ok', undefined, at);
        }
      };
      const onClose = (code: number, reason: Buffer) => {
        // Without an end marker, a normal close ends the answer. With one, a clean close before it
        // is an answer cut short (as a stream without its last event); no close frame (1006) is a broken connection.
        const normal = code === 1000 && !this.target.end_path && !echo;
        const why = `the server closed the WebSocket (code ${code}${reason.length ? `: ${reason.toString()}` : ''}) before the answer ended`;
        done(normal ? 'ok' : code === 1000 || code === 1001 ? 'protocol_error' : 'connection_error', normal ? undefined : why);
      };
      const onAbort = () => done('aborted', 'stopped', nowMs(), false);
      const timer = setTimeout(() => done('timeout', `no complete answer within the ${this.timeoutMs} ms timeout (target.timeout, --timeout)`, nowMs(), false), Math.max(0, deadlineMs - nowMs()));
      timer.unref();
      ws.on('message', onMessage);
      ws.on('close', onClose);
      input.signal.addEventListener('abort', onAbort, { once: true });
      tl.headers(101);
      tl.t.bytesOut = Buffer.byteLength(payload);
      tl.sent();
      ws.send(payload);
    });
  }

  /** Ends every connection with the closing handshake (RFC 6455 §7), so the server sees a clean close. */
  async close(): Promise<void> {
    await Promise.all([...this.all].map((ws) => closeHandshake(ws, 1000)));
  }
}

/** How long a close frame may wait for the server's answer before the socket is dropped. */
const CLOSE_WAIT_MS = 1000;

/**
 * Sends a close frame and waits (briefly) for the server's close: dropping the TCP connection
 * instead makes servers log an error for every connection ("no close frame received or sent").
 * 1000 = normal closure, 1001 = going away (the run was stopped).
 */
function closeHandshake(ws: WebSocket, code: 1000 | 1001): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) ws.close(code, code === 1001 ? 'benchmark stopped' : 'benchmark finished');
  });
}

/** Frames when messages carry frames; a per-message round trip in echo mode; else a text stream. */
export function websocketFamily(target: Pick<WebSocketTarget, 'mode' | 'frames'>): FamilyOf {
  if (target.frames) return { family: 'frames', streamed: target.mode !== 'echo' };
  return target.mode === 'echo' ? { family: 'unary', streamed: false } : { family: 'text', streamed: true };
}

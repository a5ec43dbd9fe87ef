import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { debugLineTap } from '../wire/debug-tap.js';
import { adoptSubmit, gradioErrorMessage, submitCall } from './submit.js';
import { applyGradioOutputDiffs, gradioOutputs, gradioText } from './values.js';
import { httpExchange, timeoutMessage } from '../wire/http-exchange.js';
import { SseReader } from '../wire/sse.js';
import { charsPerSecond, TextGrowth } from '../wire/text-growth.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';
import { consumerFailureMessage } from '../wire/consumer-failure.js';

/** The shared stream lives as long as events are pending; its own limit only guards against a server that never closes. */
const STREAM_TIMEOUT_MS = 24 * 3600_000;
/** Messages for an event whose join answer has not arrived yet, kept until it does (Gradio's JS client does the same). */
const MAX_EARLY_MESSAGES = 10_000;

interface QueueMessage {
  msg?: string;
  event_id?: string | null;
  rank?: number;
  output?: { data?: unknown[]; error?: unknown };
  success?: boolean;
  message?: string;
}

/** One request waiting for its messages on the session stream. */
class QueuedEvent {
  private outputs: unknown[] | undefined;
  private readonly growth: TextGrowth;
  private timer: NodeJS.Timeout;
  private readonly onStop: () => void;

  constructor(
    readonly tl: TimelineBuilder,
    private readonly input: RequestInput,
    private readonly textPath: string | undefined,
    /** What remains of the call's timeout once its POST answered. */
    remainingMs: number,
    /** The call's whole timeout, for the message. */
    statedTimeoutMs: number,
    private readonly settle: (t: Timeline) => void,
  ) {
    this.growth = new TextGrowth(tl);
    // Rounded up: Node truncates a fractional delay to whole ms.
    this.timer = setTimeout(() => this.finish('timeout', timeoutMessage(statedTimeoutMs)), Math.ceil(remainingMs));
    this.onStop = () => this.finish('aborted', 'run stopped');
    input.signal.addEventListener('abort', this.onStop, { once: true });
  }

  onMessage(message: QueueMessage, atMs: number, bytes: number): void {
    const { tl } = this;
    tl.bytesIn(bytes);
    if (message.msg === 'heartbeat') tl.t.heartbeats = (tl.t.heartbeats ?? 0) + 1;
    else tl.t.streamEvents = (tl.t.streamEvents ?? 0) + 1;
    switch (message.msg) {
      case 'heartbeat':
        return;
      case 'estimation':
        tl.event(atMs);
        if (typeof message.rank === 'number' && tl.t.extra.queue_rank_count === undefined) tl.extra('queue_rank_count', message.rank);
        return;
      case 'process_starts':
        tl.event(atMs);
        if (tl.t.submittedMs !== undefined) tl.extra('queue_time', atMs - tl.t.submittedMs);
        return;
      case 'process_generating':
      case 'process_streaming': {
        const data = message.output?.data;
        if (!Array.isArray(data)) return tl.event(atMs);
        // The first yield carries the whole value, later ones a diff per output (protocol sse_v2+).
        this.outputs = this.outputs ? applyGradioOutputDiffs(this.outputs, data) : data;
        return this.growth.update(gradioText(this.outputs, this.textPath), atMs);
      }
      case 'process_completed':
        if (message.success === false || (message.output && 'error' in message.output)) {
          return this.finish('protocol_error', `Gradio process_completed with an error: ${gradioErrorMessage(message.output)}`, atMs);
        }
        this.growth.update(gradioText(gradioOutputs(message), this.textPath), atMs);
        return this.finish('ok', undefined, atMs);
      case 'unexpected_error':
        return this.finish('protocol_error', `Gradio unexpected_error: ${message.message ?? 'no message'}`, atMs);
      default:
        tl.event(atMs); // progress, log: payloads, not content
    }
  }

  finish(outcome: Timeline['outcome'], error?: string, atMs?: number): void {
    clearTimeout(this.timer);
    this.input.signal.removeEventListener('abort', this.onStop);
    const speed = charsPerSecond(this.tl);
    if (speed !== undefined && outcome === 'ok') this.tl.extra('chars_per_s', speed);
    this.settle(this.tl.finish(outcome, error, atMs));
  }
}

/**
 * Gradio's session protocol: each request joins the queue with
 * `POST {prefix}/queue/join` and gets an `event_id`; one `GET {prefix}/queue/data?session_hash=`
 * stream per session carries every event's messages, routed here by `event_id`. It is opened
 * when an event is pending and no stream is, and ends when the server sends `close_stream`.
 * Queue rank (`queue_rank_count`, from `estimation`) and time in queue (`queue_time`, the
 * event id's arrival to `process_starts`) are recorded per request.
 */
export class GradioQueueSession {
  readonly sessionHash = randomBytes(6).toString('hex');
  private readonly pending = new Map<string, QueuedEvent>();
  private readonly early = new Map<string, { message: QueueMessage; atMs: number; bytes: number }[]>();
  private earlyCount = 0;
  private joinsInFlight = 0;
  private streamOpen = false;
  private readonly closing = new AbortController();

  constructor(
    private readonly dispatcher: Dispatcher,
    /** `{root}{prefix}` */
    private readonly base: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
    private readonly debug: ProtocolDebugSink | undefined,
  ) {}

  async send(input: RequestInput, data: unknown[], fnIndex: number, textPath: string | undefined): Promise<Timeline> {
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    const body = JSON.stringify({ data, event_data: null, fn_index: fnIndex, trigger_id: null, session_hash: this.sessionHash });
    const headers = { 'content-type': 'application/json', ...this.headers };
    this.joinsInFlight++;
    let post;
    try {
      post = await submitCall(this.dispatcher, `${this.base}/queue/join`, headers, body, input, this.timeoutMs, this.debug);
    } finally {
      this.joinsInFlight--;
    }
    adoptSubmit(tl, post.t);
    if (post.t.outcome !== 'ok' || post.eventId === undefined) {
      tl.t.bodyPreview = post.t.bodyPreview;
      return tl.finish(post.t.outcome === 'ok' ? 'protocol_error' : post.t.outcome, post.t.error ?? 'no event_id', post.t.endMs);
    }
    tl.extra('submit', post.t.endMs - post.t.sentMs);
    tl.t.serverRequestId = post.eventId;
    const eventId = post.eventId;
    const remainingMs = Math.max(1, this.timeoutMs - (post.t.endMs - post.t.sentMs));
    const done = new Promise<Timeline>((resolve) => {
      const event = new QueuedEvent(tl, input, textPath, remainingMs, this.timeoutMs, (t) => {
        this.pending.delete(eventId);
        resolve(t);
      });
      this.pending.set(eventId, event);
      for (const m of this.early.get(eventId) ?? []) event.onMessage(m.message, m.atMs, m.bytes);
      this.earlyCount -= this.early.get(eventId)?.length ?? 0;
      this.early.delete(eventId);
    });
    this.ensureStream();
    return done;
  }

  private ensureStream(): void {
    if (this.streamOpen || this.pending.size === 0 || this.closing.signal.aborted) return;
    this.streamOpen = true;
    const url = `${this.base}/queue/data?session_hash=${this.sessionHash}`;
    const streamInput: RequestInput = { index: -1, vars: { index: -1, seed: 0 }, signal: this.closing.signal };
    void httpExchange(this.dispatcher, { url, method: 'GET', headers: { ...this.headers, accept: 'text/event-stream' }, timeoutMs: STREAM_TIMEOUT_MS }, streamInput, () => {
      const tap = debugLineTap(this.debug, -1);
      let closed = false;
      let failure: string | undefined;
      const reader = new SseReader((event, atMs) => {
        let message: QueueMessage;
        try {
          message = JSON.parse(event.data) as QueueMessage;
        } catch {
          failure = `invalid JSON on the queue/data stream: ${event.data.slice(0, 200)}`;
          return;
        }
        if (message.msg === 'close_stream') {
          closed = true;
          return;
        }
        if (!message.event_id) return; // heartbeat
        try {
          this.route(message.event_id, message, atMs, event.data.length);
        } catch (err) {
          // A message of an unexpected shape fails its own event, not the whole session.
          this.pending.get(message.event_id)?.finish('protocol_error', consumerFailureMessage(err, event.data), atMs);
        }
      });
      return {
        chunk: (chunk, atMs) => {
          tap?.feed(chunk, atMs);
          reader.feed(chunk, atMs);
          return closed;
        },
        end: (atMs) => {
          tap?.end(atMs);
          reader.end(atMs);
          return failure ? { outcome: 'protocol_error', error: failure } : { outcome: 'ok' };
        },
      };
    }).then((t) => {
      this.streamOpen = false;
      if (t.outcome !== 'ok') {
        // The stream broke: every event waiting on it fails with the stream's cause.
        for (const event of [...this.pending.values()]) event.finish(t.outcome, `queue/data stream: ${t.error ?? t.outcome}`);
        return;
      }
      this.ensureStream(); // events joined after close_stream was sent need a new stream
    });
  }

  private route(eventId: string, message: QueueMessage, atMs: number, bytes: number): void {
    const event = this.pending.get(eventId);
    if (event) return event.onMessage(message, atMs, bytes);
    // A join whose answer has not arrived yet: keep its messages until it does.
    if (this.joinsInFlight > 0 && this.earlyCount < MAX_EARLY_MESSAGES) {
      const list = this.early.get(eventId) ?? [];
      list.push({ message, atMs, bytes });
      this.early.set(eventId, list);
      this.earlyCount++;
    }
  }

  close(): void {
    this.closing.abort();
  }
}

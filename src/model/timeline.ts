import { nowMs } from './clock.js';
import type { ContentKind } from './metrics.js';

/** How a request ended. Every failure is recorded and counted; none stops a run by itself. */
export const OUTCOME_KINDS = ['ok', 'http_error', 'protocol_error', 'timeout', 'connection_error', 'aborted'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/**
 * Characters of each answer's text a timeline keeps: enough for previews and the capped
 * tokenizer (measure/tokens.ts), while a 100 MB answer costs 64 Ki characters, not 100 MB per
 * request in flight. `--debug text` asks for whole answers (keepAnswerText(Infinity)).
 */
export const ANSWER_TEXT_KEEP_CHARS = 65_536;
let keepTextChars = ANSWER_TEXT_KEEP_CHARS;

/**
 * How much of each answer's text timelines built from now on keep (Infinity: all of it).
 * Process-wide, set by the runner for its run (and by each worker thread for its own).
 */
export function keepAnswerText(chars: number): void {
  keepTextChars = chars;
}

export function answerTextKeepChars(): number {
  return keepTextChars;
}

/**
 * One stream event that carried content. Its kind says what `units` counts, and each metric
 * family reads only its own kind: text metrics never see audio samples or frames.
 */
export interface ContentEvent {
  /** Monotonic arrival time. */
  atMs: number;
  kind: ContentKind;
  /** tokens: tokens this event carries (1 when the protocol cannot tell); samples: sample frames; frames: frames answered; bytes; messages. */
  units: number;
  /** Characters of text this event added (tokens only; 0 otherwise). */
  chars: number;
}

/**
 * Everything observed about one request, as monotonic marks in milliseconds.
 * Protocols fill it through {@link TimelineBuilder}; measure/metrics.ts derives every metric from it.
 */
export interface Timeline {
  /** Call index within its phase (0-based). */
  index: number;
  /** Intended start (open loop only). */
  scheduledMs?: number;
  /** When the request reached the wire (its first byte was handed to the socket). */
  sentMs: number;
  /**
   * Time spent opening the connection this request waited for (TCP, TLS, WebSocket handshake),
   * when it needed a new one; it happened just before `sentMs`, and closed-loop latency includes it.
   */
  connectMs?: number;
  headersMs?: number;
  firstByteMs?: number;
  /** First complete stream event with any payload (heartbeats and keep-alives excluded). */
  firstEventMs?: number;
  /** Gradio: when the POST returned its event id. */
  submittedMs?: number;
  content: ContentEvent[];
  endMs: number;
  /** HTTP status (number) or gRPC code name (string). */
  status?: number | string;
  outcome: OutcomeKind;
  error?: string;
  bytesIn: number;
  bytesOut: number;
  /** The generated text, when the protocol produces text: its first ANSWER_TEXT_KEEP_CHARS characters unless the run keeps whole answers. */
  text?: string;
  /** The answer's whole length in characters (more than `text.length` when the text was cut). */
  textChars?: number;
  /** Output tokens as the server reported them (usage field), when it did. */
  usageTokens?: number;
  /** Input (prompt) tokens as the server reported them (usage `prompt_tokens`, TGI `input_length`, Ollama `prompt_eval_count`). */
  usageInputTokens?: number;
  /** The prompt text as sent (chat: the messages' text, joined), for the client tokenizer's input count. */
  prompt?: string;
  /** Multi-turn sessions: this request's turn in its conversation (1-based). */
  turn?: number;
  /** Audio: the sample rate of the samples in `content` (from the WAV header or the declared PCM layout). */
  sampleRateHz?: number;
  /** Protocol-specific numeric metrics, recorded as histograms under these names (ms unless the name says otherwise). */
  extra: Record<string, number>;
  /** A short preview of the response body, kept for failures. */
  bodyPreview?: string;
  /** Stream events received (every SSE data event, or queue message, for this request), heartbeats counted apart. */
  streamEvents?: number;
  heartbeats?: number;
  /** The whole response body, kept only when the run captures values from it (step `capture`). */
  responseText?: string;
  /** The call's named values (step `values`, build-module values, captures), for records and later steps. */
  values?: Record<string, unknown>;
  /** The reference server's request id (x-inferbench-request-id), for ground-truth checks. */
  serverRequestId?: string;
}

/** Mutable builder a protocol uses while it follows one request. Marks default to "now". */
export class TimelineBuilder {
  readonly t: Timeline;
  private textParts: string[] = [];
  private keptChars = 0;
  private totalChars = 0;
  private readonly keepChars = keepTextChars;

  constructor(index: number, scheduledMs?: number) {
    this.t = { index, scheduledMs, sentMs: NaN, content: [], endMs: NaN, outcome: 'ok', bytesIn: 0, bytesOut: 0, extra: {} };
  }

  sent(at = nowMs()): void {
    this.t.sentMs = at;
  }
  headers(status: number | string, at = nowMs()): void {
    this.t.headersMs ??= at;
    this.t.status = status;
  }
  firstByte(at = nowMs()): void {
    this.t.firstByteMs ??= at;
  }
  /** Any complete stream event with a payload (not a heartbeat). */
  event(at = nowMs()): void {
    this.t.firstEventMs ??= at;
  }
  /** Text that arrived (`tokens` as far as the protocol can tell). Empty text is not content: call `event()` only. */
  text(text: string, tokens = 1, at = nowMs()): void {
    this.t.firstEventMs ??= at;
    this.t.content.push({ atMs: at, kind: 'tokens', units: tokens, chars: text.length });
    if (text) this.keepText(text);
  }
  private keepText(text: string): void {
    this.totalChars += text.length;
    if (this.keptChars >= this.keepChars) return;
    const piece = text.length <= this.keepChars - this.keptChars ? text : text.slice(0, this.keepChars - this.keptChars);
    this.textParts.push(piece);
    this.keptChars += piece.length;
  }
  /** Audio sample frames that arrived (whole samples only), at the timeline's `sampleRateHz`. */
  samples(count: number, at = nowMs()): void {
    this.push('samples', count, at);
  }
  /** Image frames whose answers arrived. */
  frames(count: number, at = nowMs()): void {
    this.push('frames', count, at);
  }
  /** An opaque message (a stream message whose payload inferbench does not read). */
  message(at = nowMs()): void {
    this.push('messages', 1, at);
  }
  private push(kind: ContentKind, units: number, at: number): void {
    this.t.firstEventMs ??= at;
    this.t.content.push({ atMs: at, kind, units, chars: 0 });
  }
  /** Replaces the accumulated text (protocols whose stream sends the whole text so far, like Gradio). */
  setText(text: string): void {
    this.textParts = [];
    this.keptChars = 0;
    this.totalChars = 0;
    this.keepText(text);
  }
  bytesIn(n: number): void {
    this.t.bytesIn += n;
  }
  extra(name: string, value: number): void {
    this.t.extra[name] = value;
  }

  /** Ends the timeline. A failure keeps every mark taken so far. */
  finish(outcome: OutcomeKind, error?: string, at = nowMs()): Timeline {
    if (Number.isNaN(this.t.endMs)) this.t.endMs = at;
    if (Number.isNaN(this.t.sentMs)) this.t.sentMs = this.t.endMs;
    this.t.outcome = outcome;
    if (error !== undefined) this.t.error = error;
    if (this.textParts.length) {
      this.t.text = this.textParts.join('');
      this.t.textChars = this.totalChars;
    }
    return this.t;
  }

  get finished(): boolean {
    return !Number.isNaN(this.t.endMs);
  }
}

import { nowMs } from './clock.js';

/** How a request ended. Every failure is recorded and counted; none stops a run by itself. */
export const OUTCOME_KINDS = ['ok', 'http_error', 'protocol_error', 'timeout', 'connection_error', 'aborted'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** One stream event that carried content (text, audio samples, a frame). */
export interface ContentEvent {
  /** Monotonic arrival time. */
  atMs: number;
  /** Tokens (or samples, or frames) this event carries, as far as the protocol can tell; 1 when unknown. */
  units: number;
  /** Characters of text this event added (0 for binary content). */
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
  /** The generated text, when the protocol produces text. */
  text?: string;
  /** Output tokens as the server reported them (usage field), when it did. */
  usageTokens?: number;
  /** Protocol-specific numeric metrics, recorded as histograms under these names (ms unless the name says otherwise). */
  extra: Record<string, number>;
  /** A short preview of the response body, kept for failures. */
  bodyPreview?: string;
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
  /** A content-bearing event. Empty content is not content: call `event()` only. */
  content(text: string, units = 1, at = nowMs()): void {
    this.t.firstEventMs ??= at;
    this.t.content.push({ atMs: at, units, chars: text.length });
    if (text) this.textParts.push(text);
  }
  /** Binary content (audio bytes, frames): counted in units, no text. */
  binaryContent(units: number, at = nowMs()): void {
    this.t.firstEventMs ??= at;
    this.t.content.push({ atMs: at, units, chars: 0 });
  }
  /** Replaces the accumulated text (protocols whose stream sends the whole text so far, like Gradio). */
  setText(text: string): void {
    this.textParts = [text];
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
    if (this.textParts.length) this.t.text = this.textParts.join('');
    return this.t;
  }

  get finished(): boolean {
    return !Number.isNaN(this.t.endMs);
  }
}

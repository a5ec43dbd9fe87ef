import { epochMsOf, nowMs } from '../model/clock.js';
import type { DelayPlan, FaultKind, FinishReason, StreamPlan } from './request-plan.js';

/** What one written event was, in the client's terms: role-only and finish events are not content. */
export type GroundTruthEventKind =
  | 'role'
  | 'content'
  | 'finish'
  | 'usage'
  | 'done'
  | 'error'
  | 'heartbeat'
  /** Gradio: the POST's answer carrying the event_id. */
  | 'submitted'
  /** Gradio session queue: `estimation` and `process_starts` messages. */
  | 'queue';

export interface GroundTruthEvent {
  /** `performance.now()` immediately before the bytes were handed to the socket. */
  atMs: number;
  kind: GroundTruthEventKind;
  /** Content tokens this event carried (0 for role, finish, usage, done, error, heartbeat). */
  tokens: number;
  /** The content text this event carried, when it carried any. */
  text?: string;
  /** Set when this event carried a finish reason (vLLM puts `length` on the last content chunk itself). */
  finishReason?: FinishReason;
}

/** How the exchange ended, from the server's side. */
export type EndReason =
  | 'completed'
  /** The client closed the connection before the answer was complete. */
  | 'client-disconnected'
  /** `close()` ended it (e.g. a stalled stream still open at shutdown). */
  | 'server-closed'
  /** The server destroyed the connection on purpose (the mid-stream-close fault). */
  | 'connection-destroyed'
  /** A bug in a route handler; the message went to the response or the connection was dropped. */
  | 'server-error';

/** The plan a request was given, as recorded (token texts live in `text` and the events instead). */
export type PlanRecord =
  | ({ kind: 'stream' } & Omit<StreamPlan, 'tokenTexts' | 'fault'>)
  | ({ kind: 'delay' } & Omit<DelayPlan, 'fault'>);

/**
 * The server's own account of one request. All `*Ms` fields are this process's
 * `performance.now()`; another process converts with `timeOriginMs + atMs` (epoch ms).
 */
export interface GroundTruthRecord {
  /** Also sent as the `x-inferbench-request-id` response header. */
  id: string;
  /** The matched route pattern, e.g. `POST /v1/chat/completions`. */
  route: string;
  path: string;
  /** `performance.timeOrigin` of the server process. */
  timeOriginMs: number;
  /** When the request's headers had arrived. */
  receivedMs: number;
  receivedEpochMs: number;
  /** When the response headers were written; null until then. */
  headersMs: number | null;
  events: GroundTruthEvent[];
  /** When the last byte was written or the connection ended; null while the request is open. */
  endMs: number | null;
  endReason: EndReason | null;
  /** HTTP status sent; null when no headers were sent. */
  status: number | null;
  fault: FaultKind;
  /** Mid-stream faults: content tokens written before the fault. */
  faultAfterTokens: number | null;
  /** Content tokens actually written (what `usage.completion_tokens` must equal on a complete answer). */
  outputTokens: number;
  /** Content text actually written, concatenated. */
  text: string;
  plan: PlanRecord | null;
}

export interface MarkDetail {
  tokens?: number;
  text?: string;
  finishReason?: FinishReason;
}

/** Writes one request's record. Stamp `mark()` immediately before each write of an event. */
export class GroundTruthRecorder {
  private resolveEnded!: (record: GroundTruthRecord) => void;
  /** Resolves when the request ends, however it ends. */
  readonly ended: Promise<GroundTruthRecord> = new Promise((resolve) => (this.resolveEnded = resolve));

  constructor(readonly record: GroundTruthRecord) {}

  /** Call immediately before writing the response headers. */
  headers(status: number, atMs = nowMs()): void {
    this.record.headersMs ??= atMs;
    this.record.status = status;
  }

  /** Call immediately before `res.write` of one event. Content events add to `outputTokens` and `text`. */
  mark(kind: GroundTruthEventKind, detail: MarkDetail = {}, atMs = nowMs()): void {
    const tokens = detail.tokens ?? 0;
    const event: GroundTruthEvent = { atMs, kind, tokens };
    if (detail.text !== undefined) event.text = detail.text;
    if (detail.finishReason !== undefined) event.finishReason = detail.finishReason;
    this.record.events.push(event);
    if (kind === 'content') {
      this.record.outputTokens += tokens;
      if (detail.text) this.record.text += detail.text;
    }
  }

  plan(plan: StreamPlan | DelayPlan): void {
    if ('tokenTexts' in plan) {
      const { tokenTexts: _texts, fault: _fault, ...timing } = plan;
      this.record.plan = { kind: 'stream', ...timing };
    } else {
      const { fault: _fault, ...timing } = plan;
      this.record.plan = { kind: 'delay', ...timing };
    }
    const { kind, afterTokens } = plan.fault;
    this.record.fault = kind;
    this.record.faultAfterTokens = kind === 'mid-stream-close' || kind === 'mid-stream-error' || kind === 'stall' ? afterTokens : null;
  }

  /** The first call wins: later ones (a close after a deliberate destroy) keep the true reason. */
  end(reason: EndReason, atMs = nowMs()): void {
    if (this.record.endMs !== null) return;
    this.record.endMs = atMs;
    this.record.endReason = reason;
    this.resolveEnded(this.record);
  }
}

/** Every request's record, oldest first, bounded to the last `maxRecords`. */
export class GroundTruthStore {
  private readonly records = new Map<string, GroundTruthRecorder>();

  constructor(private readonly maxRecords: number) {}

  /** Opens a record; call when the request's headers arrive. */
  start(id: string, route: string, path: string, receivedMs = nowMs()): GroundTruthRecorder {
    const recorder = new GroundTruthRecorder({
      id,
      route,
      path,
      timeOriginMs: performance.timeOrigin,
      receivedMs,
      receivedEpochMs: epochMsOf(receivedMs),
      headersMs: null,
      events: [],
      endMs: null,
      endReason: null,
      status: null,
      fault: 'none',
      faultAfterTokens: null,
      outputTokens: 0,
      text: '',
      plan: null,
    });
    this.records.set(id, recorder);
    // Map keeps insertion order, so the first key is the oldest record.
    while (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value!);
    return recorder;
  }

  get(id: string): GroundTruthRecord | undefined {
    return this.records.get(id)?.record;
  }

  /** All kept records in arrival order. */
  all(): GroundTruthRecord[] {
    return Array.from(this.records.values(), (recorder) => recorder.record);
  }

  /** Resolves with the record once request `id` has ended (at once if it already has); undefined if unknown. */
  async whenEnded(id: string): Promise<GroundTruthRecord | undefined> {
    return this.records.get(id)?.ended;
  }

  clear(): void {
    this.records.clear();
  }

  get size(): number {
    return this.records.size;
  }
}

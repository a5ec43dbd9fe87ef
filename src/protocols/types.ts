import type { Timeline } from '../model/timeline.js';

/** Values a request template can use: `{{index}}`, `{{seed}}`, `{{uuid}}`, `{{row.field}}`, ... */
export interface TemplateVars {
  index: number;
  seed: number;
  /** The dataset row for this request, when the scenario has a dataset. */
  row?: Record<string, unknown>;
}

/** What the runner hands a protocol for one request. */
export interface RequestInput {
  /** Call index within the phase (0-based). */
  index: number;
  /** Intended start time (open loop); the protocol copies it into the timeline. */
  scheduledMs?: number;
  vars: TemplateVars;
  /** Aborted when the run is interrupted (Ctrl+C) or stops; the request becomes `aborted`. */
  signal: AbortSignal;
}

/**
 * One protocol's client: sends one request and follows it to its end.
 * `send` never rejects for anything the target did: failures are outcomes in the Timeline.
 */
export interface ProtocolClient {
  send(input: RequestInput): Promise<Timeline>;
  /** Checks the target answers at all, before load starts (fast failure with the URL and cause). */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where a protocol hands raw wire data for `--debug` (the CLI prints it; tests collect it).
 * Protocols call it only when given one, and never print themselves.
 */
export interface ProtocolDebugSink {
  /** A whole non-stream response body, e.g. Gradio's POST answer with the event_id. */
  response?(requestIndex: number, what: string, body: string, atMs: number): void;
  /** One raw line of a stream, as it arrived (-1 as the index for a stream several requests share). */
  streamLine?(requestIndex: number, line: string, atMs: number): void;
}

/** The phases of a load point whose requests are counted (cooldown sends none). */
export type PhaseName = 'warmup' | 'measure';

/** A snapshot for progress displays, emitted a few times a second and at phase changes. */
export interface Progress {
  phase: PhaseName | 'cooldown';
  pointLabel: string;
  sent: number;
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
  /** Planned requests in this phase, when bounded by count. */
  total?: number;
  /** Planned duration of this phase, when bounded by time. */
  durationMs?: number;
  elapsedMs: number;
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

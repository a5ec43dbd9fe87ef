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

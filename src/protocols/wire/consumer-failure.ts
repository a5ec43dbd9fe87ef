/**
 * A protocol's reading code met an answer it did not expect (`data: null` where a chunk object
 * belongs, a number where a list does): whatever it threw becomes the request's protocol_error,
 * naming the event, never a connection_error or a crash. Readers wrap the event they were
 * handing over (EventShapeError), so the message shows it.
 */
const EVENT_PREVIEW_CHARS = 200;

/**
 * The largest single stream event (an SSE event's data, an NDJSON line) read, in characters.
 * Work and memory per request stay bounded: a bigger event is a protocol_error instead of a
 * 100 MB string to parse on the event loop. Real events are bytes to kilobytes; 16 Mi leaves
 * room for whole images in an event.
 */
export const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export class EventTooLargeError extends Error {
  constructor() {
    super(`a stream event longer than ${MAX_EVENT_CHARS / 1024 / 1024} Mi characters (the most inferbench reads as one event)`);
    this.name = 'EventTooLargeError';
  }
}

export class EventShapeError extends Error {
  constructor(
    readonly reason: unknown,
    /** The event, line or message being read when it failed. */
    readonly event: string,
  ) {
    super(reasonOf(reason));
    this.name = 'EventShapeError';
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Shortened to a readable preview (the runner redacts secrets in it before anything else sees it). */
export function shortenEvent(text: string): string {
  return text.length > EVENT_PREVIEW_CHARS ? `${text.slice(0, EVENT_PREVIEW_CHARS)}…` : text;
}

/** The protocol_error message for something a consumer threw; `fallback` is the raw data it was reading. */
export function consumerFailureMessage(err: unknown, fallback?: Uint8Array | string): string {
  if (err instanceof EventTooLargeError) return `the answer was not read to its end: ${err.message}`;
  const event = err instanceof EventShapeError ? err.event : fallback === undefined ? undefined : typeof fallback === 'string' ? fallback : Buffer.from(fallback).toString('utf8');
  const why = err instanceof EventShapeError ? reasonOf(err.reason) : reasonOf(err);
  return `unexpected answer shape (${why})${event === undefined ? '' : ` in: ${shortenEvent(event)}`}`;
}

/** What a reader rethrows when an event's handler threw: the error, carrying the event. */
export function withEvent(err: unknown, event: string): EventShapeError {
  return err instanceof EventShapeError ? err : new EventShapeError(err, event);
}

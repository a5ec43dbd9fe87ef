/**
 * A protocol's reading code met an answer it did not expect (`data: null` where a chunk object
 * belongs, a number where a list does): whatever it threw becomes the request's protocol_error,
 * naming the event, never a connection_error or a crash. Readers wrap the event they were
 * handing over (EventShapeError), so the message shows it.
 */
const EVENT_PREVIEW_CHARS = 200;

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
  const event = err instanceof EventShapeError ? err.event : fallback === undefined ? undefined : typeof fallback === 'string' ? fallback : Buffer.from(fallback).toString('utf8');
  const why = err instanceof EventShapeError ? reasonOf(err.reason) : reasonOf(err);
  return `unexpected answer shape (${why})${event === undefined ? '' : ` in: ${shortenEvent(event)}`}`;
}

/** What a reader rethrows when an event's handler threw: the error, carrying the event. */
export function withEvent(err: unknown, event: string): EventShapeError {
  return err instanceof EventShapeError ? err : new EventShapeError(err, event);
}

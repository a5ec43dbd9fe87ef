import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type { EventSourceMessage };

/**
 * A WHATWG server-sent-events reader over raw body chunks (eventsource-parser does the
 * parsing: CR/LF/CRLF, multi-line data, comments, fields without colon). TextDecoder in
 * stream mode keeps multi-byte characters split across chunks intact and drops a leading BOM.
 * Every event parsed from a chunk is stamped with that chunk's arrival time: that is when
 * its bytes reached us. An unterminated last event is discarded, as the spec says.
 */
export class SseReader {
  private readonly decoder = new TextDecoder();
  private readonly parser;
  private chunkAtMs = 0;

  constructor(onEvent: (event: EventSourceMessage, atMs: number) => void, onComment?: (comment: string, atMs: number) => void) {
    this.parser = createParser({
      onEvent: (event) => onEvent(event, this.chunkAtMs),
      onComment: onComment ? (comment) => onComment(comment, this.chunkAtMs) : undefined,
    });
  }

  feed(chunk: Uint8Array, atMs: number): void {
    this.chunkAtMs = atMs;
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Flushes the decoder at end of stream (a complete event needs its blank line, so none is dispatched here). */
  end(atMs: number): void {
    this.chunkAtMs = atMs;
    const rest = this.decoder.decode();
    if (rest) this.parser.feed(rest);
  }
}

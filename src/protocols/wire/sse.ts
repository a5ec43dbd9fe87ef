import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { EventTooLargeError, MAX_EVENT_CHARS, withEvent } from './consumer-failure.js';

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
  /** A CR that ended the last chunk: a line end, but the next chunk decides whether it is CR or CRLF. */
  private pendingCr = false;

  constructor(onEvent: (event: EventSourceMessage, atMs: number) => void, onComment?: (comment: string, atMs: number) => void) {
    this.parser = createParser({
      // A handler that throws on an unexpected shape fails its request with this event (http-exchange.ts).
      onEvent: (event) => {
        try {
          onEvent(event, this.chunkAtMs);
        } catch (err) {
          throw withEvent(err, event.data);
        }
      },
      onComment: onComment ? (comment) => onComment(comment, this.chunkAtMs) : undefined,
      // A line or event beyond the limit ends the request as a protocol_error (http-exchange.ts).
      maxBufferSize: MAX_EVENT_CHARS,
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') throw new EventTooLargeError();
      },
    });
  }

  feed(chunk: Uint8Array, atMs: number): void {
    this.chunkAtMs = atMs;
    this.parser.feed(this.toLf(this.decoder.decode(chunk, { stream: true }), false));
  }

  /** Flushes the decoder at end of stream (a complete event needs its blank line, so none is dispatched here). */
  end(atMs: number): void {
    this.chunkAtMs = atMs;
    const rest = this.toLf(this.decoder.decode(), true);
    if (rest) this.parser.feed(rest);
  }

  /**
   * CR and CRLF become LF before parsing, holding a chunk's trailing CR until the next chunk
   * shows whether an LF follows it. eventsource-parser splits each buffer on its own, so it
   * could not tell a CR LF split across chunks from two line ends, and it never released a
   * trailing CR at the end of the stream (`data: b\r\r` was lost): both are pinned by
   * test/protocols/sse-parser.test.ts.
   */
  private toLf(text: string, final: boolean): string {
    // Most servers send LF only: skip the rewrite on the per-chunk hot path (1.9% of the
    // client's CPU in bench:sse's profile when it always ran).
    if (!this.pendingCr && !text.includes('\r')) return text;
    if (this.pendingCr) {
      text = '\r' + text;
      this.pendingCr = false;
    }
    if (!final && text.endsWith('\r')) {
      text = text.slice(0, -1);
      this.pendingCr = true;
    }
    return text.replace(/\r\n?/g, '\n');
  }
}

import { EventTooLargeError, MAX_EVENT_CHARS, withEvent } from './consumer-failure.js';

/** One server-sent event as the WHATWG rules dispatch it. */
export interface EventSourceMessage {
  /** The `event:` field; undefined when the event named no type. */
  event?: string;
  /** The `id:` field of this event, when it had one. */
  id?: string;
  data: string;
}

/** Receives each dispatched event without an object per event: the hot path of every SSE protocol. */
export type SseDataHandler = (data: string, type: string | undefined, id: string | undefined, atMs: number) => void;

/**
 * Offered each `data: VALUE` event with no type or id that a chunk holds whole (the line and
 * its blank line), as the UTF-8 bytes `buf[start, end)` of VALUE, before any decoding; true
 * when it handled the event. Valid only during the call. VALUE runs to the first LF, so it
 * may hold a CR, which also ends a line: a handler must decline such a VALUE (the text path
 * then splits it there). Declining every control character, as a JSON fast path does, is enough.
 */
export type SseDataBytesHandler = (buf: Buffer, start: number, end: number, atMs: number) => boolean;

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;
/**
 * Chunks up to this size go the byte path (when a handler is given). Measured with `npm run
 * bench:sse-parse` (the OpenAI consumer in process, one core), alternating with the text-only
 * code: one event a chunk, 594–961 ns an event against 885–1,462 (0.62–0.67× in each pair),
 * with no string left per event; 256 events a chunk, bytes took ~270 ns an event against
 * text's 200–230 (one decode serves them all, and their pieces are joined into one string per
 * chunk), so big chunks keep the text path.
 */
const BYTE_PATH_MAX_CHUNK = 2048;

/**
 * A WHATWG server-sent-events scanner over raw body bytes: CR, LF and CRLF line ends (a CRLF
 * split across chunks is one), multi-line data joined with LF, comments, fields without a
 * colon, one leading space stripped, a leading BOM dropped, an unterminated last event
 * discarded. Every event completed by a chunk is stamped with that chunk's arrival time.
 *
 * Hand-written instead of eventsource-parser + TextDecoder (which it replaced on the hot
 * path) for two measured reasons: at 1,000 streams the old reader decoded every chunk through
 * a streaming TextDecoder, split it again as a string and allocated a message object per
 * event, which together with the JSON parse of every event held bench:sse to 0.07-0.16× a
 * bare read loop; and eventsource-parser could not tell a CR LF split across chunks from two
 * line ends. Here each chunk is cut after its last line end, the complete part is decoded
 * once (`Buffer#toString`; a cut after CR or LF never splits a UTF-8 sequence), and only the
 * bytes after the cut are kept (copied) for the next chunk. The conformance and every-byte
 * split tests in test/protocols/sse-parser.test.ts pin the behaviour, and a differential
 * test holds it to eventsource-parser's on seeded random streams.
 */
export class SseScanner {
  /** Bytes after the last line end seen, copied (they hold no CR or LF). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private started = false;
  /** The last text ended with CR: an LF first in the next chunk belongs to that line end. */
  private skipLf = false;
  private data = '';
  private dataLines = 0;
  private type: string | undefined;
  private id: string | undefined;

  constructor(
    private readonly onData: SseDataHandler,
    private readonly onComment?: (comment: string, atMs: number) => void,
    /**
     * Offered first each single-line event with no type or id: its data is `text[start, end)`.
     * True when it handled the event (then `onData` is not called). Saves a string per event
     * on the hot path (see wire/json-text-layout.ts).
     */
    private readonly onDataAt?: (text: string, start: number, end: number, atMs: number) => boolean,
    /**
     * Offered first each whole single-line event of a chunk, on bytes (see
     * {@link SseDataBytesHandler}), from its start and while the chunk holds nothing else; an
     * event it declines is decoded alone and handed on as text, and the first line that is not
     * such an event takes the text path with the rest of the chunk. Measured reason: at 1,000
     * streams with one event per read, decoding every chunk to a string and slicing the text out
     * of it cost ~495 bytes of allocation an event (`npm run bench:timing-alloc`, 5,000 requests:
     * 943 bytes an event through text, 448 with bytes); see BYTE_PATH_MAX_CHUNK for big chunks.
     */
    private readonly onDataBytes?: SseDataBytesHandler,
  ) {}

  /** The body bytes `chunk[start, end)`, which arrived at `atMs`; valid only during the call. */
  feed(chunk: Uint8Array, atMs: number, start = 0, end = chunk.byteLength): void {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.onDataBytes && end - start <= BYTE_PATH_MAX_CHUNK && this.started && this.pendingBytes === 0 && !this.skipLf && this.dataLines === 0 && this.type === undefined && this.id === undefined) {
      start = this.bytesPath(buf, start, end, atMs);
      if (start === end) return;
    }
    if (start !== 0 || end !== buf.byteLength) buf = buf.subarray(start, end);
    const lf = buf.lastIndexOf(LF);
    const cr = buf.lastIndexOf(CR);
    const cut = (lf > cr ? lf : cr) + 1;
    if (cut === 0) {
      if (buf.byteLength) this.keep(buf, 0);
      return;
    }
    let text: string;
    if (this.pendingBytes === 0) text = buf.toString('utf8', 0, cut);
    else {
      this.pending.push(buf.subarray(0, cut));
      text = Buffer.concat(this.pending, this.pendingBytes + cut).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (cut < buf.byteLength) this.keep(buf, cut);
    let from = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) from = 1;
    }
    if (this.skipLf) {
      this.skipLf = false;
      if (text.charCodeAt(from) === LF) from++;
    }
    if (cr === -1) this.linesLf(text, from, atMs);
    else this.linesAny(text, from, atMs);
  }

  /**
   * Whole `data: VALUE\n\n` events from `pos`, handed to `onDataBytes` while it takes them; the
   * offset of the first byte it did not take. Nothing else is in flight (no pending bytes, no
   * half-built event), so such an event is exactly what the text path would dispatch: one data
   * line, then its blank line (a VALUE with a CR in it the handler declines).
   */
  private bytesPath(buf: Buffer, pos: number, end: number, atMs: number): number {
    const handler = this.onDataBytes!;
    while (end - pos > 6 && buf[pos] === 100 && buf[pos + 1] === 97 && buf[pos + 2] === 116 && buf[pos + 3] === 97 && buf[pos + 4] === COLON) {
      const valueAt = buf[pos + 5] === SPACE ? pos + 6 : pos + 5;
      // Past `end` a shared read buffer holds older bytes: an LF found there is no line end of this chunk.
      const lf = buf.indexOf(LF, valueAt);
      if (lf === -1 || lf + 1 >= end || buf[lf + 1] !== LF) break;
      let value: string | undefined;
      try {
        if (!handler(buf, valueAt, lf, atMs)) {
          // Declined: this one event as text (decoded alone: it is bounded by ASCII line ends), then on with bytes.
          value = buf.toString('utf8', valueAt, lf);
          if (value.includes('\r')) break;
          if (!(this.onDataAt && this.onDataAt(value, 0, value.length, atMs))) this.onData(value, undefined, undefined, atMs);
        }
      } catch (err) {
        throw withEvent(err, value ?? buf.toString('utf8', valueAt, lf));
      }
      pos = lf + 2;
    }
    return pos;
  }

  /** End of stream: an event still missing its blank line is discarded, as the spec says. */
  end(_atMs?: number): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.data = '';
    this.dataLines = 0;
    this.type = undefined;
    this.id = undefined;
  }

  private keep(buf: Buffer, from: number): void {
    // Copied: the transport may reuse its read buffer once this chunk's call returns.
    const rest = Buffer.allocUnsafe(buf.byteLength - from);
    buf.copy(rest, 0, from);
    this.pending.push(rest);
    this.pendingBytes += rest.byteLength;
    // A line beyond the limit ends the request as a protocol_error (bytes ≥ characters, so this never cuts a legal event short of it in ASCII).
    if (this.pendingBytes > MAX_EVENT_CHARS) throw new EventTooLargeError();
  }

  /** Text with LF line ends only (the usual case): one search per line, and a single-line event dispatched without joining. */
  private linesLf(text: string, from: number, atMs: number): void {
    let pos = from;
    let lf = text.indexOf('\n', pos);
    while (lf !== -1) {
      if (lf === pos) {
        this.dispatch(atMs);
      } else if (this.dataLines === 0 && isData(text, pos) && text.charCodeAt(lf + 1) === LF) {
        const valueAt = text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5;
        const type = this.type;
        const id = this.id;
        let handled = false;
        try {
          handled = type === undefined && id === undefined && this.onDataAt !== undefined && this.onDataAt(text, valueAt, lf, atMs);
          if (!handled) {
            this.type = undefined;
            this.id = undefined;
            this.onData(text.slice(valueAt, lf), type, id, atMs);
          }
        } catch (err) {
          // A handler that throws on an unexpected shape fails its request with this event (http-exchange.ts).
          throw withEvent(err, text.slice(valueAt, lf));
        }
        lf++;
      } else {
        this.line(text, pos, lf, atMs);
      }
      pos = lf + 1;
      lf = text.indexOf('\n', pos);
    }
  }

  /** Text with CR somewhere: CR, LF and CRLF all end a line; a CR last in the text may be the first half of a CRLF. */
  private linesAny(text: string, from: number, atMs: number): void {
    let pos = from;
    const length = text.length;
    while (pos < length) {
      let end = pos;
      let c = text.charCodeAt(end);
      while (c !== LF && c !== CR && end < length) c = text.charCodeAt(++end);
      if (end === pos) this.dispatch(atMs);
      else this.line(text, pos, end, atMs);
      pos = end + 1;
      if (c === CR) {
        if (pos === length) this.skipLf = true;
        else if (text.charCodeAt(pos) === LF) pos++;
      }
    }
  }

  private line(text: string, start: number, end: number, atMs: number): void {
    const first = text.charCodeAt(start);
    if (first === COLON) {
      this.onComment?.(text.slice(text.charCodeAt(start + 1) === SPACE ? start + 2 : start + 1, end), atMs);
      return;
    }
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    const valueAt = colon === end ? end : text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    const nameLength = colon - start;
    if (nameLength === 4 && text.startsWith('data', start)) {
      const value = text.slice(valueAt, end);
      this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
      this.dataLines++;
      if (this.data.length > MAX_EVENT_CHARS) throw new EventTooLargeError();
    } else if (nameLength === 5 && text.startsWith('event', start)) {
      this.type = text.slice(valueAt, end) || undefined;
    } else if (nameLength === 2 && text.startsWith('id', start)) {
      const value = text.slice(valueAt, end);
      if (!value.includes('\0')) this.id = value;
    }
    // retry and unknown fields change nothing a benchmark reads.
  }

  private dispatch(atMs: number): void {
    const { type, id } = this;
    this.type = undefined;
    this.id = undefined;
    if (this.dataLines === 0) return;
    const data = this.data;
    this.data = '';
    this.dataLines = 0;
    try {
      this.onData(data, type, id, atMs);
    } catch (err) {
      throw withEvent(err, data);
    }
  }
}

/** The line at `at` starts with `data:`. */
function isData(text: string, at: number): boolean {
  return text.charCodeAt(at) === 100 && text.charCodeAt(at + 1) === 97 && text.charCodeAt(at + 2) === 116 && text.charCodeAt(at + 3) === 97 && text.charCodeAt(at + 4) === COLON;
}

/** {@link SseScanner} handing each event over as an {@link EventSourceMessage} (the protocols off the hot path use this). */
export class SseReader extends SseScanner {
  constructor(onEvent: (event: EventSourceMessage, atMs: number) => void, onComment?: (comment: string, atMs: number) => void) {
    super((data, event, id, atMs) => {
      const message: EventSourceMessage = { data };
      if (event !== undefined) message.event = event;
      if (id !== undefined) message.id = id;
      onEvent(message, atMs);
    }, onComment);
  }
}

import { REQUEST_ID_HEADER } from './http-exchange.js';

/** Where an answer's head and body go as they are read. */
export interface ResponseSink {
  headers(status: number, requestId: string | undefined, atMs: number): void;
  /** A piece of the body, `buf[start, end)`, valid only during the call (no view is made per piece). */
  dataRange(buf: Buffer, start: number, end: number, atMs: number): void;
}

/** An answer that breaks HTTP/1.1 framing: the connection cannot be trusted any more. */
export class HttpFramingError extends Error {
  override name = 'HttpFramingError';
  constructor(message: string) {
    super(`invalid HTTP answer: ${message}`);
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
/** Idle time after which a kept-alive connection is closed when the server named no `Keep-Alive: timeout` (Node and uvicorn close theirs at 5 s). */
export const DEFAULT_IDLE_MS = 4_000;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

// Reader states: the head, then one body framing.
const HEAD = 0;
const LENGTH = 1;
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_EXT = 4;
const CHUNK_SIZE_LF = 5;
const CHUNK_DATA = 6;
const CHUNK_DATA_CR = 7;
const CHUNK_DATA_LF = 8;
const TRAILER_START = 9;
const TRAILER_LINE = 10;
const TRAILER_LF = 11;
const TRAILER_END_LF = 12;
const DONE = 13;

/**
 * Reads one HTTP/1.1 answer at a time from whatever pieces the socket delivers: the status
 * line and the headers a benchmark needs (content-length, transfer-encoding, connection,
 * keep-alive, the reference server's request id), then a content-length, chunked or
 * read-to-close body handed over as views of the read buffer. 1xx answers are skipped.
 * Resumable at every byte (test/protocols/http1-response.test.ts splits answers at each
 * one); no state but a copy of an incomplete head outlives a read.
 */
export class Http1ResponseReader {
  /** The connection may carry another request once this answer ended. */
  reusable = true;
  idleLimitMs = DEFAULT_IDLE_MS;
  private state = HEAD;
  private head: Buffer | undefined;
  private remaining = 0;
  private chunkSize = 0;
  private chunkDigits = 0;
  private noBody = false;

  /** A new request went out on this connection; `headRequest`: its answer has no body whatever it says. */
  begin(headRequest: boolean): void {
    this.state = HEAD;
    this.head = undefined;
    this.noBody = headRequest;
  }

  /** Part of a response head arrived without its end: a close now means the answer was not HTTP. */
  get inPartialHead(): boolean {
    return this.state === HEAD && this.head !== undefined;
  }

  /** The body is framed by the connection's end: the socket closing completes the answer. */
  get endsAtClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /**
   * Reads bytes [0, n) of `buf`. Returns -1 while the answer goes on, or the offset just past
   * its end when it ended (bytes after it are not ours: the connection is then not reused).
   * Throws {@link HttpFramingError} on an answer that breaks the framing.
   */
  feed(buf: Buffer, n: number, atMs: number, sink: ResponseSink): number {
    let data = buf;
    let end = n;
    let i = 0;
    if (this.state === HEAD) {
      if (this.head) {
        data = Buffer.concat([this.head, buf.subarray(0, n)]);
        end = data.byteLength;
        this.head = undefined;
      }
      i = this.readHead(data, end, atMs, sink);
      if (i < 0) return -1;
    }
    const done = this.readBody(data, i, end, atMs, sink);
    if (done < 0) return -1;
    if (done < end) this.reusable = false;
    // An offset into `buf` when a pending head was joined in front of it.
    return done - (end - n);
  }

  /** Parses status line and headers; the offset where the body starts, or -1 when more bytes are needed. */
  private readHead(data: Buffer, end: number, atMs: number, sink: ResponseSink): number {
    let from = 0;
    for (;;) {
      const headEnd = data.indexOf(CRLFCRLF, from);
      // A shared read buffer holds other bytes past `end`: the terminator must end by `end`.
      if (headEnd === -1 || headEnd + 4 > end) {
        if (end - from > MAX_HEAD_BYTES) throw new HttpFramingError(`response head over ${MAX_HEAD_BYTES} bytes`);
        this.head = Buffer.from(data.subarray(from, end));
        return -1;
      }
      const head = data.toString('latin1', from, headEnd);
      from = headEnd + 4;
      const status = statusOf(head);
      if (status < 200) {
        if (status === 101) throw new HttpFramingError('the server switched protocols (101)');
        continue; // 100 Continue, 103 Early Hints: the answer follows
      }
      const framing = head === lastHead && status === lastStatus && this.noBody === lastNoBody ? lastFraming! : framingOf(head, status, this.noBody);
      lastHead = head;
      lastStatus = status;
      lastNoBody = this.noBody;
      lastFraming = framing;
      if (framing.idleLimitMs !== undefined) this.idleLimitMs = framing.idleLimitMs;
      if (!framing.keepAlive) this.reusable = false;
      sink.headers(status, framing.requestId, atMs);
      if (framing.chunked) {
        this.state = CHUNK_SIZE;
        this.chunkSize = 0;
        this.chunkDigits = 0;
      } else if (framing.length !== undefined) {
        this.state = LENGTH;
        this.remaining = framing.length;
      } else {
        this.state = UNTIL_CLOSE;
        this.reusable = false;
      }
      return from;
    }
  }

  /** Body bytes from `i`; the offset just past the answer's end, or -1 when it goes on. */
  private readBody(data: Buffer, i: number, end: number, atMs: number, sink: ResponseSink): number {
    for (;;) {
      switch (this.state) {
        case LENGTH:
          i = this.take(data, i, end, atMs, sink);
          if (this.remaining > 0) return -1;
          this.state = DONE;
          return i;
        case UNTIL_CLOSE:
          if (end > i) sink.dataRange(data, i, end, atMs);
          return -1;
        case CHUNK_DATA:
          i = this.take(data, i, end, atMs, sink);
          if (this.remaining > 0) return -1;
          this.state = CHUNK_DATA_CR;
          break;
        case DONE:
          return i;
        default:
          // The few framing bytes around chunks, one at a time (resumable at any split).
          if (i >= end) return -1;
          this.frameByte(data[i]!);
          i++;
      }
    }
  }

  /** Hands the sink up to `remaining` body bytes from `i`; the offset after them. */
  private take(data: Buffer, i: number, end: number, atMs: number, sink: ResponseSink): number {
    const n = Math.min(this.remaining, end - i);
    if (n <= 0) return i;
    sink.dataRange(data, i, i + n, atMs);
    this.remaining -= n;
    return i + n;
  }

  private frameByte(b: number): void {
    switch (this.state) {
      case CHUNK_SIZE: {
        const d = hexValue(b);
        if (d >= 0) {
          if (++this.chunkDigits > 12) throw new HttpFramingError('chunk size too large');
          this.chunkSize = this.chunkSize * 16 + d;
          return;
        }
        if (this.chunkDigits === 0) throw new HttpFramingError('chunk size missing');
        if (b === 13) this.state = CHUNK_SIZE_LF;
        else if (b === 59 || b === 32 || b === 9) this.state = CHUNK_EXT;
        else throw new HttpFramingError('malformed chunk size');
        return;
      }
      case CHUNK_EXT:
        if (b === 13) this.state = CHUNK_SIZE_LF;
        return;
      case CHUNK_SIZE_LF:
        expect(b, 10);
        if (this.chunkSize === 0) this.state = TRAILER_START;
        else {
          this.state = CHUNK_DATA;
          this.remaining = this.chunkSize;
        }
        return;
      case CHUNK_DATA_CR:
        expect(b, 13);
        this.state = CHUNK_DATA_LF;
        return;
      case CHUNK_DATA_LF:
        expect(b, 10);
        this.state = CHUNK_SIZE;
        this.chunkSize = 0;
        this.chunkDigits = 0;
        return;
      case TRAILER_START:
        this.state = b === 13 ? TRAILER_END_LF : TRAILER_LINE;
        return;
      case TRAILER_LINE:
        if (b === 13) this.state = TRAILER_LF;
        return;
      case TRAILER_LF:
        expect(b, 10);
        this.state = TRAILER_START;
        return;
      case TRAILER_END_LF:
        expect(b, 10);
        this.state = DONE;
        return;
    }
  }
}

/** What a response head says of its body and its connection. */
interface Framing {
  chunked: boolean;
  length?: number;
  requestId?: string;
  keepAlive: boolean;
  /** From a `keep-alive: timeout=N` header. */
  idleLimitMs?: number;
}

/**
 * The last head read (by any connection) and what it said: a server's heads repeat, byte for
 * byte, for as long as its Date header does. Measured reason (bench:capacity's client under
 * --cpu-prof, c=50 against nginx): reading the same head's headers again was 6.3% of the CPU.
 */
let lastHead: string | undefined;
let lastStatus = 0;
let lastNoBody = false;
let lastFraming: Framing | undefined;

/** The headers a benchmark needs, from the head (latin1, CRLF lines); `noBody`: the answer to a HEAD request. */
function framingOf(head: string, status: number, noBody: boolean): Framing {
  let chunked = false;
  let length: number | undefined;
  let requestId: string | undefined;
  let keepAlive = !head.startsWith('HTTP/1.0');
  let idleLimitMs: number | undefined;
  const lower = head.toLowerCase();
  for (let ls = head.indexOf('\r\n'); ls !== -1; ) {
    ls += 2;
    const le = head.indexOf('\r\n', ls);
    const lineEnd = le === -1 ? head.length : le;
    const colon = head.indexOf(':', ls);
    // Only names of 10+ characters starting c, t, k or x can be one we read: skip the rest unsliced.
    const c = lower.charCodeAt(ls);
    if (colon !== -1 && colon < lineEnd && colon - ls >= 10 && (c === 99 || c === 116 || c === 107 || c === 120)) {
      const name = lower.slice(ls, colon);
      if (name === 'content-length') {
        const value = head.slice(colon + 1, lineEnd).trim();
        if (!/^\d{1,15}$/.test(value)) throw new HttpFramingError(`malformed content-length ${JSON.stringify(value)}`);
        const n = Number(value);
        if (length !== undefined && length !== n) throw new HttpFramingError('conflicting content-length headers');
        length = n;
      } else if (name === 'transfer-encoding') {
        const codings = lower.slice(colon + 1, lineEnd).split(',');
        chunked = codings[codings.length - 1]!.trim() === 'chunked';
      } else if (name === 'connection') {
        const tokens = lower.slice(colon + 1, lineEnd).split(',').map((t) => t.trim());
        if (tokens.includes('close')) keepAlive = false;
        else if (tokens.includes('keep-alive')) keepAlive = true;
      } else if (name === 'keep-alive') {
        const m = /timeout\s*=\s*(\d+)/.exec(lower.slice(colon + 1, lineEnd));
        // Close a second before the server would, so no request goes out on a socket it is closing.
        if (m) idleLimitMs = Math.max(500, Number(m[1]) * 1000 - 1000);
      } else if (name === REQUEST_ID_HEADER) {
        requestId = head.slice(colon + 1, lineEnd).trim();
      }
    }
    ls = le;
  }
  if (noBody || status === 204 || status === 304) return { chunked: false, length: 0, requestId, keepAlive, idleLimitMs };
  // Transfer-encoding wins over content-length (RFC 9112 §6.3); a coding other than chunked last is read to the close.
  if (chunked) return { chunked: true, requestId, keepAlive, idleLimitMs };
  if (lower.includes('\r\ntransfer-encoding:')) return { chunked: false, requestId, keepAlive, idleLimitMs };
  return { chunked: false, length, requestId, keepAlive, idleLimitMs };
}


/** The status code of a head's status line; throws when the line is not HTTP/1.x. */
function statusOf(head: string): number {
  const c = head.charCodeAt(12);
  if (head.startsWith('HTTP/1.') && head.charCodeAt(8) === 32 && !(c > 32)) {
    const status = Number(head.slice(9, 12));
    if (Number.isInteger(status) && status >= 100) return status;
  }
  throw new HttpFramingError(`malformed status line ${JSON.stringify(head.split('\r\n', 1)[0]!.slice(0, 80))}`);
}

function expect(b: number, wanted: number): void {
  if (b !== wanted) throw new HttpFramingError('malformed chunked encoding');
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return -1;
}

import { describe, expect, it } from 'vitest';
import { Http1ResponseReader, HttpFramingError } from '../../src/protocols/wire/http1-response.js';

interface Read {
  status?: number;
  requestId?: string;
  body: string;
  /** Offset past the answer's end in the piece that ended it; undefined while it goes on. */
  endedAt?: number;
  reusable: boolean;
  endsAtClose: boolean;
}

/** Feeds `pieces` to one reader through a shared buffer holding junk past each piece, as the pool's read buffer does. */
function read(pieces: Uint8Array[], headRequest = false, reader = new Http1ResponseReader()): Read {
  const out: Read = { body: '', reusable: true, endsAtClose: false };
  const body: Buffer[] = [];
  reader.begin(headRequest);
  const shared = Buffer.alloc(4096, '\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
  for (const piece of pieces) {
    shared.set(piece, 0);
    const ended = reader.feed(shared, piece.byteLength, 0, {
      headers(status, requestId) {
        out.status = status;
        out.requestId = requestId;
      },
      dataRange(buf, start, end) {
        // A range in the shared buffer lies inside this piece: past it the buffer holds junk.
        expect(start >= 0 && start <= end && end <= (buf === shared ? piece.byteLength : buf.byteLength)).toBe(true);
        body.push(Buffer.from(buf.subarray(start, end)));
      },
    });
    if (ended >= 0) {
      out.endedAt = ended;
      break;
    }
    shared.fill('\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
  }
  out.body = Buffer.concat(body).toString('utf8');
  out.reusable = reader.reusable;
  out.endsAtClose = reader.endsAtClose;
  return out;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');
/** Every way to cut `s` in two. */
const splits = (s: string) => Array.from({ length: s.length - 1 }, (_, i) => [bytes(s.slice(0, i + 1)), bytes(s.slice(i + 1))]);

const LENGTH = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\nX-Inferbench-Request-Id: r-7\r\n\r\n{"echo":null}';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n' +
  '7\r\ndata: a\r\n' +
  'A;ext=1\r\n\n\ndata: bc\r\n' +
  '2\r\n\n\n\r\n' +
  '0\r\nTrailer-X: 1\r\n\r\n';

describe('Http1ResponseReader reads HTTP/1.1 answers from any split of their bytes', () => {
  it('a content-length answer, with the request id, at every split', () => {
    const whole = read([bytes(LENGTH)]);
    expect(whole).toEqual({ status: 200, requestId: 'r-7', body: '{"echo":null}', endedAt: LENGTH.length, reusable: true, endsAtClose: false });
    for (const [a, b] of splits(LENGTH)) expect(read([a!, b!]), `cut at ${a!.length}`).toEqual({ ...whole, endedAt: b!.length });
  });

  it('a chunked answer with extensions and trailers, at every split and byte by byte', () => {
    const whole = read([bytes(CHUNKED)]);
    expect(whole.body).toBe('data: a\n\ndata: bc\n\n');
    expect(whole.endedAt).toBe(CHUNKED.length);
    for (const [a, b] of splits(CHUNKED)) expect(read([a!, b!]), `cut at ${a!.length}`).toEqual({ ...whole, endedAt: b!.length });
    expect(read(Array.from(bytes(CHUNKED), (x) => Uint8Array.of(x)))).toEqual({ ...whole, endedAt: 1 });
  });

  it('skips 100 Continue, and reads no body for HEAD, 204 and 304', () => {
    expect(read([bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')])).toMatchObject({ status: 201, body: 'ok' });
    expect(read([bytes('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')], true)).toMatchObject({ status: 200, body: '', endedAt: 39, reusable: true });
    expect(read([bytes('HTTP/1.1 204 No Content\r\n\r\n')])).toMatchObject({ status: 204, body: '', endedAt: 27 });
    expect(read([bytes('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n')])).toMatchObject({ status: 304, body: '' });
  });

  it('reads to the close when nothing frames the body, and keeps no connection the server closes', () => {
    const unframed = read([bytes('HTTP/1.1 200 OK\r\n\r\nsome'), bytes(' bytes')]);
    expect(unframed).toMatchObject({ body: 'some bytes', endsAtClose: true, reusable: false });
    expect(unframed.endedAt).toBeUndefined();
    expect(read([bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef')])).toMatchObject({ body: 'abcdef', endsAtClose: true });
    expect(read([bytes('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx')])).toMatchObject({ body: 'x', reusable: false });
    expect(read([bytes('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx')])).toMatchObject({ reusable: false });
    expect(read([bytes('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx')])).toMatchObject({ reusable: true });
  });

  it('follows the keep-alive timeout the server names, and leaves a connection with bytes past the answer', () => {
    const reader = new Http1ResponseReader();
    read([bytes('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n')], false, reader);
    expect(reader.idleLimitMs).toBe(4000);
    expect(read([bytes('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA')])).toMatchObject({ body: 'x', endedAt: 39, reusable: false });
  });

  it('reads one answer after another on the same reader', () => {
    const reader = new Http1ResponseReader();
    expect(read([bytes(LENGTH)], false, reader).body).toBe('{"echo":null}');
    expect(read([bytes(CHUNKED)], false, reader).body).toBe('data: a\n\ndata: bc\n\n');
    expect(read([bytes(LENGTH)], false, reader).requestId).toBe('r-7');
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n'],
    ['a status code that is not a number', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx'],
    ['a malformed content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab'],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ])('rejects %s', (_name, answer) => {
    expect(() => read([bytes(answer)])).toThrow(HttpFramingError);
  });
});

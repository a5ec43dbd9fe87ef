import { describe, expect, it } from 'vitest';
import { SseReader, SseScanner } from '../../src/protocols/wire/sse.js';

interface Parsed {
  events: { event?: string; id?: string; data: string }[];
  comments: string[];
}

/** Feeds `chunks` (strings or bytes) through our SseReader and collects what it dispatched. */
function parse(chunks: (string | Uint8Array)[]): Parsed {
  const out: Parsed = { events: [], comments: [] };
  const reader = new SseReader(
    (e) => out.events.push({ ...(e.event !== undefined ? { event: e.event } : {}), ...(e.id !== undefined ? { id: e.id } : {}), data: e.data }),
    (c) => out.comments.push(c),
  );
  const encoder = new TextEncoder();
  chunks.forEach((chunk, i) => reader.feed(typeof chunk === 'string' ? encoder.encode(chunk) : chunk, i));
  reader.end(chunks.length);
  return out;
}

/**
 * The same through the byte path, as the plain-HTTP transport feeds it: each chunk is a range
 * of one shared buffer with junk (line ends, `data:` lines) before and after it, and the byte
 * hook takes the events whose first value byte is even and that hold no CR (the rest go the
 * text path), so both paths and every hand-over between them are exercised. `taken` counts
 * what the hook took.
 */
function parseViaBytes(chunks: (string | Uint8Array)[], taken = { events: 0 }): Parsed {
  const out: Parsed = { events: [], comments: [] };
  const scanner = new SseScanner(
    (d, event, id) => out.events.push({ ...(event !== undefined ? { event } : {}), ...(id !== undefined ? { id } : {}), data: d }),
    (c) => out.comments.push(c),
    undefined,
    (buf, start, end) => {
      // A CR ends a line too: the handler's part is to decline a value holding one.
      if ((end > start && buf[start]! % 2 === 1) || buf.subarray(start, end).includes(13)) return false;
      taken.events++;
      out.events.push({ data: buf.toString('utf8', start, end) });
      return true;
    },
  );
  const encoder = new TextEncoder();
  const junk = Buffer.from('\n\ndata: junk\r\n\n');
  chunks.forEach((chunk, i) => {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    const shared = Buffer.alloc(bytes.byteLength + 64);
    for (let k = 0; k < shared.byteLength; k++) shared[k] = junk[k % junk.byteLength]!;
    const start = 1 + (i % 31);
    shared.set(bytes, start);
    scanner.feed(shared, i, start, start + bytes.byteLength);
  });
  scanner.end(chunks.length);
  return out;
}

const data = (...values: string[]) => values.map((d) => ({ data: d }));

describe('SSE parsing follows the WHATWG rules', () => {
  it.each<[string, string[], Parsed['events']]>([
    ['LF line endings', ['data: a\n\ndata: b\n\n'], data('a', 'b')],
    ['CRLF line endings', ['data: a\r\n\r\ndata: b\r\n\r\n'], data('a', 'b')],
    ['CR line endings', ['data: a\r\rdata: b\r\r'], data('a', 'b')],
    ['a CR LF split across two chunks is one line end', ['data: a\r', '\ndata: b\r\n\r\n'], data('a\nb')],
    ['a CR at a chunk end followed by a blank-line CR', ['data: a\r', '\r'], data('a')],
    ['multi-line data joined with LF', ['data: first\ndata: second\ndata:third\n\n'], data('first\nsecond\nthird')],
    ['comments are not events', [':\n\n: keep-alive\ndata: x\n\n'], data('x')],
    ['one leading space is stripped, a second is kept', ['data:x\n\ndata:  y\n\n'], data('x', ' y')],
    ['a field without colon has an empty value', ['data\n\n'], data('')],
    ['a bare "data" line appends an empty line', ['data: a\ndata\n\n'], data('a\n')],
    ['event type and id', ['event: generating\nid: 7\ndata: ["H", null]\n\n'], [{ event: 'generating', id: '7', data: '["H", null]' }]],
    ['an event with no data fires nothing', ['event: ping\n\ndata: after\n\n'], data('after')],
    ['unknown fields are ignored', ['foo: bar\nretry: 10\ndata: ok\n\n'], data('ok')],
    ['a leading BOM is dropped', ['\uFEFFdata: a\n\n'], data('a')],
    ['an unterminated last event is discarded', ['data: a\n\ndata: b'], data('a')],
    ['an unterminated last event after a lone line end is discarded too', ['data: a\n\ndata: b\n'], data('a')],
  ])('%s', (_name, chunks, expected) => {
    expect(parse(chunks).events).toEqual(expected);
    // Whole events first in a chunk go the byte path only after the stream's first chunk (a BOM may lead it).
    expect(parseViaBytes(chunks).events).toEqual(expected);
    expect(parseViaBytes(['', ...chunks]).events).toEqual(expected);
  });

  it('reports comments to the comment handler (keep-alives)', () => {
    expect(parse([':\n\n: ping\n\ndata: x\n\n']).comments.map((c) => c.trim())).toEqual(['', 'ping']);
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const bytes = new TextEncoder().encode('data: héllo 🚀\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    expect(parse([bytes.slice(0, cut), bytes.slice(cut)]).events).toEqual(data('héllo 🚀'));
  });
});

/** A stream using every rule at once, with multi-byte text and all three line endings. */
const STREAM =
  '\uFEFF: hello\n' +
  'event: generating\r\ndata: ["H", null]\r\n\r\n' +
  'data: line one\rdata: line two\r\r' +
  ':\n\n' +
  'id: 42\ndata\ndata: ünïcödé 🚀\n\n' +
  'event: complete\ndata:{"x":1}\n\n' +
  'data: [DONE]\r\n\r\n' +
  'data: cut off';

describe('SSE parsing does not depend on how the bytes are chunked', () => {
  const bytes = new TextEncoder().encode(STREAM);
  const whole = parse([bytes]);

  it('parses the reference stream as expected in one chunk', () => {
    expect(whole.events.map((e) => e.data)).toEqual(['["H", null]', 'line one\nline two', '\nünïcödé 🚀', '{"x":1}', '[DONE]']);
    expect(whole.events[2]!.id).toBe('42');
  });

  it('gives the same events when split at every byte boundary', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parse([bytes.slice(0, cut), bytes.slice(cut)]), `cut at byte ${cut}`).toEqual(whole);
    }
  });

  it('gives the same events through the byte path at every split into three pieces', () => {
    // The reference stream with plain single-line events around it, which the byte path can take.
    const mixed = new TextEncoder().encode(`data: plain\n\ndata: {"ünï":"🚀"}\n\n${STREAM.slice(1, -'data: cut off'.length)}data: bare\n\ndata:x\n\ndata: cut off`);
    const expected = parse([mixed]);
    expect(expected.events.length).toBe(whole.events.length + 4);
    const taken = { events: 0 };
    expect(parseViaBytes([mixed], taken)).toEqual(expected);
    for (let a = 1; a < mixed.length; a++) {
      for (let b = a; b < mixed.length; b += 3) expect(parseViaBytes([mixed.slice(0, a), mixed.slice(a, b), mixed.slice(b)], taken), `cuts at ${a} and ${b}`).toEqual(expected);
    }
    expect(taken.events).toBeGreaterThan(100);
  });

  it('gives the same events fed one byte at a time, and in seeded random pieces', () => {
    expect(parse(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(whole);
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let trial = 0; trial < 200; trial++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * 12);
        chunks.push(bytes.slice(at, at + size));
        at += size;
      }
      expect(parse(chunks), `trial ${trial}`).toEqual(whole);
    }
  });
});

describe('SSE parsing agrees with eventsource-parser on seeded random streams', () => {
  // eventsource-parser is the oracle, fed the whole stream at once with line ends already made
  // LF (its own CR handling depends on chunking, see wire/sse.ts); ours gets random byte pieces.
  const pieces = ['data', 'data:', 'data: ', 'event:', 'event: ', 'id:', 'id: ', ':', ': ', 'retry: 5', 'foo', 'x', ' ', 'é', '🚀', '{"a":1}', '[DONE]', '\0'];
  const ends = ['\n', '\r\n', '\r'];
  let seed = 20261201;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;

  it('gives the same events and comments on 450 streams', async () => {
    const { createParser } = await import('eventsource-parser');
    let events = 0;
    let comments = 0;
    const taken = { events: 0 };
    for (let trial = 0; trial < 450; trial++) {
      let text = random() < 0.1 ? '\uFEFF' : '';
      const lines = 1 + Math.floor(random() * 30);
      // 150 more streams of mostly plain `data: X` events, as a model server sends them (what the byte path takes).
      const plain = trial >= 300;
      for (let i = 0; i < lines; i++) {
        if (plain && random() < 0.7) text += `data: ${pick(pieces)}${pick(pieces)}\n\n`;
        else if (random() < 0.3) text += pick(ends);
        else {
          const n = 1 + Math.floor(random() * 4);
          if (random() < 0.5) text += 'data: ';
          for (let j = 0; j < n; j++) text += pick(pieces);
          text += pick(ends);
        }
      }
      if (random() < 0.3) text += 'data: tail';
      const oracle: Parsed = { events: [], comments: [] };
      const parser = createParser({
        onEvent: (e) => oracle.events.push({ ...(e.event !== undefined ? { event: e.event } : {}), ...(e.id !== undefined ? { id: e.id } : {}), data: e.data }),
        onComment: (c) => oracle.comments.push(c),
      });
      parser.feed(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
      const bytes = new TextEncoder().encode(text);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * 9);
        chunks.push(bytes.slice(at, at + size));
        at += size;
      }
      expect(parse(chunks), `trial ${trial}: ${JSON.stringify(text)}`).toEqual(oracle);
      // The hot-path hook sees the plain single-line events (taking every other one) and the rest come as usual.
      const viaHook: Parsed['events'] = [];
      let take = false;
      const scanner = new SseScanner(
        (d, event, id) => viaHook.push({ ...(event !== undefined ? { event } : {}), ...(id !== undefined ? { id } : {}), data: d }),
        undefined,
        (whole, start, end) => ((take = !take) ? (viaHook.push({ data: whole.slice(start, end) }), true) : false),
      );
      chunks.forEach((c, i) => scanner.feed(c, i));
      expect(viaHook, `trial ${trial} through the hook`).toEqual(oracle.events);
      // The byte path, in pieces big enough to hold whole events, each a range of a junk-filled buffer.
      const big: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        // Cut after a blank line (where a transport's read usually ends) or anywhere.
        const blank = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('\n\n', at);
        const size = random() < 0.5 && blank !== -1 ? blank + 2 - at : 1 + Math.floor(random() * 80);
        big.push(bytes.slice(at, at + size));
        at += size;
      }
      expect(parseViaBytes(big, taken), `trial ${trial} through the byte path`).toEqual(oracle);
      events += oracle.events.length;
      comments += oracle.comments.length;
    }
    // The streams exercise both kinds of output, not only empty results.
    expect(events).toBeGreaterThan(500);
    expect(comments).toBeGreaterThan(100);
    expect(taken.events).toBeGreaterThan(50);
  });
});

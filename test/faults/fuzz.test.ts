import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_KINDS, type Timeline } from '../../src/model/timeline.js';
import { NdjsonReader } from '../../src/protocols/wire/ndjson-reader.js';
import { SseReader } from '../../src/protocols/wire/sse.js';
import { run } from '../../src/run/runner.js';

/**
 * Seeded property-based fuzzing (fast-check) of the SSE and NDJSON parsers and of the stream
 * consumers: 2,600 cases per run. Parsers: any events, any line ends, any split into chunks (at
 * any byte, mid-character included) parse to the same events. Consumers: any mix of valid
 * events, garbage, nulls, wrong shapes and cut lines, written in random pieces by a raw socket,
 * ends every request with exactly one outcome and never throws or hangs.
 */
const SEED = 20261202;

/** Splits `bytes` at the given cut points (any byte offsets). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(start, c));
    start = c;
  }
  return out;
}

// Values that cannot contain a line end (SSE data lines cannot carry one).
const lineText = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '中', '😀', ' ', ':', '"', '{', '}', '\\'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

describe('parsers, property-based', () => {
  it('SSE: any events with any line ends, split at any bytes, parse to the same events (1,000 cases)', () => {
    const event = fc.record({ type: fc.option(fc.constantFrom('message', 'generating', 'complete', 'x-y'), { nil: undefined }), lines: fc.array(lineText, { minLength: 1, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.array(fc.tuple(lineEnd, lineEnd), { minLength: 8, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (events, ends, cuts) => {
        let text = '';
        events.forEach((e, i) => {
          const [eol, blank] = ends[i % ends.length]!;
          // A CR then an LF is one line end: the blank line after a CR must not start with LF.
          const blankLine = eol === '\r' && blank === '\n' ? '\r' : blank;
          if (e.type) text += `event: ${e.type}${eol}`;
          text += e.lines.map((l) => `data: ${l}`).join(eol) + eol + blankLine;
        });
        const got: { event?: string; data: string }[] = [];
        const reader = new SseReader((ev) => got.push({ ...(ev.event ? { event: ev.event } : {}), data: ev.data }));
        for (const chunk of split(new TextEncoder().encode(text), cuts)) reader.feed(chunk, 0);
        reader.end(0);
        expect(got).toEqual(events.map((e) => ({ ...(e.type ? { event: e.type } : {}), data: e.lines.join('\n') })));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('NDJSON: any lines with LF or CRLF, split at any bytes, arrive as the same lines (1,000 cases)', () => {
    fc.assert(
      fc.property(fc.array(lineText.filter((l) => l.trim() !== ''), { maxLength: 10 }), fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 10, maxLength: 10 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (lines, ends, lastEnded, cuts) => {
        const text = lines.map((l, i) => l + (i < lines.length - 1 || lastEnded ? ends[i]! : '')).join('');
        const got: string[] = [];
        const reader = new NdjsonReader((line) => got.push(line));
        for (const chunk of split(new TextEncoder().encode(text), cuts)) reader.feed(chunk, 0);
        reader.end(0);
        expect(got).toEqual(lines);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

/** A raw server that writes each request's body in the pieces it is given, then closes or keeps the connection. */
let server: ReturnType<typeof createServer>;
let url: string;
let bodies: { head: string; pieces: Buffer[]; close: boolean }[] = [];

beforeAll(async () => {
  server = createServer((socket: Socket) => {
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', async (d: Buffer) => {
      buffer += d.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      buffer = buffer.slice(end + 4 + length);
      const body = bodies.shift();
      if (!body) return socket.destroy();
      // Close-delimited: the body ends where the connection does.
      socket.write(body.head);
      for (const p of body.pieces) {
        if (!socket.write(p)) await new Promise((r) => socket.once('drain', r));
        if (p.length % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const jsonish = fc.oneof(
  fc.constant('null'),
  fc.constant('[DONE]'),
  fc.constant('{"choices":[{"delta":{"content":"hi"}}]}'),
  fc.constant('{"choices":[{"delta":{},"finish_reason":"stop"}]}'),
  fc.constant('{"text":"hi","done":false}'),
  fc.constant('{"done":true}'),
  fc.constant('["partial text"]'),
  fc.constant('{"error":{"message":"boom"}}'),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 40 }),
);
/** One fragment of a body: an SSE event, an NDJSON line, or raw garbage (cut lines, stray CRs, invalid UTF-8). */
const fragment = fc.oneof(
  jsonish.map((d) => `data: ${d.replace(/[\r\n]/g, ' ')}\n\n`),
  fc.tuple(fc.constantFrom('generating', 'complete', 'error', 'heartbeat'), jsonish).map(([e, d]) => `event: ${e}\ndata: ${d.replace(/[\r\n]/g, ' ')}\n\n`),
  jsonish.map((d) => `${d.replace(/[\r\n]/g, ' ')}\n`),
  fc.constantFrom('\r', '\n', 'data: {"choi', ': comment\n', 'data:\n\n', '\uFEFF'),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
);

const PROTOCOLS: [string, (u: string) => Record<string, unknown>, string][] = [
  ['openai', (u) => ({ protocol: 'openai', url: `${u}/v1/chat/completions` }), 'text/event-stream'],
  ['sse', (u) => ({ protocol: 'sse', url: `${u}/s`, content_path: 'choices[0].delta.content' }), 'text/event-stream'],
  ['ndjson', (u) => ({ protocol: 'ndjson', url: `${u}/s`, content_path: 'text', end_path: 'done' }), 'application/x-ndjson'],
  ['tgi', (u) => ({ protocol: 'tgi', url: `${u}/generate_stream` }), 'text/event-stream'],
];

describe('stream consumers, property-based through a raw socket', () => {
  it.each(PROTOCOLS)('%s: 150 random bodies, every request ends with exactly one outcome', async (_name, target, contentType) => {
    const cases = fc.sample(fc.tuple(fc.array(fragment, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 })), { seed: SEED, numRuns: 150 });
    bodies = cases.map(([fragments, sizes]) => {
      const bytes = Buffer.from(fragments.join(''), 'latin1');
      const pieces: Buffer[] = [];
      for (let i = 0, k = 0; i < bytes.length; i += sizes[k++ % sizes.length]!) pieces.push(bytes.subarray(i, i + sizes[k % sizes.length]!));
      return { head: `HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\nconnection: close\r\n\r\n`, pieces, close: true };
    });
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { ...target(url), timeout: '10s' } as never, load: { requests: cases.length }, output: { write: false }, tokenizer: 'none' },
      { onRequest: (t) => timelines.push(t), skipProbe: true },
    );
    const c = results.points[0]!.measure.counts;
    expect(timelines).toHaveLength(cases.length);
    expect(new Set(timelines.map((t) => t.index)).size).toBe(cases.length);
    expect(c.sent).toBe(cases.length);
    expect(c.completed).toBe(cases.length);
    expect(c.ok + c.failed).toBe(cases.length);
    // No request hung into its timeout or was lost to a thrown error: each ended as what its body was.
    for (const t of timelines) {
      expect(OUTCOME_KINDS).toContain(t.outcome);
      expect(['ok', 'protocol_error'], `${t.outcome}: ${t.error}`).toContain(t.outcome);
    }
  });
});

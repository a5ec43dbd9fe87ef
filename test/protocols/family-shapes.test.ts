import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import { serve, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/index.js';
import { TARGETS } from './family-targets.js';

/** Each protocol's framings, unary forms and errors: outcomes and text, no timing (family.test.ts holds the timings to truth). */
describe('TGI framing and keep-alives', () => {
  it('reads the old "data:" framing (TGI < 2.1) and ignores ":" keep-alive comments', async () => {
    const server = await serve({ seed: 4, ttftMs: 40, itlMs: 20, outputTokens: 5, tgiLegacyFraming: true, heartbeatMs: 8 });
    try {
      const timelines: Timeline[] = [];
      await run({ target: { protocol: 'tgi', url: server.url, prompt: 'x' }, load: { requests: 2 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
      for (const t of timelines) {
        const truth = server.groundTruth.get(t.serverRequestId!)!;
        expect(truth.events.some((e) => e.kind === 'heartbeat')).toBe(true);
        expect(t.outcome).toBe('ok');
        expect(t.text).toBe(truth.text);
        expect(t.content.length).toBe(5);
        expect(t.usageTokens).toBe(5);
      }
      const raw = await (await fetch(`${server.url}/generate_stream`, { method: 'POST', body: '{"inputs":"x"}' })).text();
      expect(raw).toContain('data:{"index":1,');
      expect(raw).toContain(':\n\n');
    } finally {
      await server.close();
    }
  });
});

describe('unary APIs', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await serve({ seed: 6, ttftMs: 5, itlMs: 1, outputTokens: 6 });
  });
  afterAll(() => server.close());

  it.each([
    ['kserve v2 infer', (url: string) => ({ protocol: 'kserve', url, model: 'mymodel', prompt: 'Hello' })],
    ['tgi /generate', (url: string) => ({ protocol: 'tgi', url, stream: false })],
    ['ollama stream:false', (url: string) => ({ protocol: 'ollama', url, model: 'm', stream: false })],
    ['openai-responses stream:false', (url: string) => ({ protocol: 'openai-responses', url, stream: false })],
  ])('%s: one answer with the generated text', async (_name, target) => {
    const timelines: Timeline[] = [];
    await run({ target: target(server.url) as never, load: { requests: 2 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    for (const t of timelines) {
      expect(t.outcome, t.error).toBe('ok');
      const truth = server.groundTruth.get(t.serverRequestId!)!;
      expect(t.text).toBe(truth.text);
      expect(t.content).toHaveLength(1);
    }
  });
});

describe('mid-stream errors become protocol errors with the server message', () => {
  let server: ReferenceServer;
  afterAll(() => server?.close());
  const cases: [string, Partial<ReferenceServerOptions>, RegExp][] = [
    ['tgi /generate_stream', { midStreamErrorRate: 1 }, /\(generation\).*injected mid-stream error/],
    ['tgi /generate_stream', { errorRate: 1 }, /\(overloaded\).*Model is overloaded/],
    ['ollama /api/generate', { midStreamErrorRate: 1 }, /injected mid-stream error/],
    ['kserve generate_stream (Triton)', { midStreamErrorRate: 1 }, /injected mid-stream error/],
    ['openai-responses', { midStreamErrorRate: 1 }, /\(server_error\).*injected mid-stream error/],
    ['sse (generic, over OpenAI chat)', { midStreamErrorRate: 1 }, /injected mid-stream error/],
    ['ndjson (generic, over Ollama)', { midStreamErrorRate: 1 }, /injected mid-stream error/],
  ];
  it.each(cases)('%s with %o', async (name, options, message) => {
    await server?.close();
    server = await serve({ seed: 8, ttftMs: 5, itlMs: 1, outputTokens: 6, ...options });
    const timelines: Timeline[] = [];
    const { results } = await run({ target: TARGETS[name]!(server.url) as never, load: { requests: 3 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(0);
    expect(m.counts.byOutcome.protocol_error).toBe(3);
    for (const t of timelines) expect(t.error).toMatch(message);
  });

  it.each(['ollama /api/generate', 'kserve generate_stream (Triton)', 'openai-responses'])('%s: an error before the stream is an http_error with the message', async (name) => {
    await server?.close();
    server = await serve({ seed: 8, errorRate: 1, errorStatus: 503 });
    const timelines: Timeline[] = [];
    await run({ target: TARGETS[name]!(server.url) as never, load: { requests: 2 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    for (const t of timelines) {
      expect(t.outcome).toBe('http_error');
      expect(t.error).toMatch(/HTTP 503: inferbench reference server: injected error/);
    }
  });

  it('a stream cut mid-way is a connection_error, and a stream without its end event a protocol_error', async () => {
    await server?.close();
    server = await serve({ seed: 8, ttftMs: 5, itlMs: 1, outputTokens: 6, midStreamCloseRate: 1 });
    const timelines: Timeline[] = [];
    await run({ target: TARGETS['ollama /api/chat']!(server.url) as never, load: { requests: 2 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    for (const t of timelines) expect(['connection_error', 'protocol_error']).toContain(t.outcome);
    expect(timelines.every((t) => t.outcome !== 'ok')).toBe(true);
  });
});

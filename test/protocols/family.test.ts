import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import { serve, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/index.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { expectStreamMatchesTruth, FAST_STREAM, measureAgainstTruth } from './truth.js';

/** Each protocol's target against the reference server's emulation of it. */
const TARGETS: Record<string, (url: string) => Record<string, unknown>> = {
  'tgi /generate_stream': (url) => ({ protocol: 'tgi', url, prompt: 'My name is', max_new_tokens: 64 }),
  'ollama /api/generate': (url) => ({ protocol: 'ollama', url: `${url}/api/generate`, model: 'llama3.2', prompt: 'Why is the sky blue?' }),
  'ollama /api/chat': (url) => ({ protocol: 'ollama', url: `${url}/api/chat`, model: 'llama3.2', prompt: 'Why is the sky blue?' }),
  'kserve generate_stream (Triton)': (url) => ({ protocol: 'kserve', url: `${url}/v2/models/ensemble/generate_stream`, prompt: 'Hello', parameters: { max_tokens: 64 } }),
  'openai-responses': (url) => ({ protocol: 'openai-responses', url, input: 'Hello', max_output_tokens: 64 }),
  'sse (generic, over OpenAI chat)': (url) => ({
    protocol: 'sse',
    url: `${url}/v1/chat/completions`,
    body: { model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } },
    content_path: 'choices[0].delta.content',
    usage_path: 'usage.completion_tokens',
    done_data: '[DONE]',
  }),
  'ndjson (generic, over Ollama)': (url) => ({
    protocol: 'ndjson',
    url: `${url}/api/generate`,
    body: { model: 'm', prompt: 'Hi' },
    content_path: 'response',
    end_path: 'done',
    usage_path: 'eval_count',
  }),
};

describe.each(Object.keys(TARGETS))('%s against ground truth', (name) => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ seed: 21, ...FAST_STREAM });
  });
  afterAll(() => server.close());

  it('measures TTFT, ITL and latency medians within 2 ms of truth, with the generated text and token counts', async () => {
    const { pairs, results } = await measureAgainstTruth(TARGETS[name]!(server.url), server, { concurrency: 2, requests: 16 });
    expect(pairs.length).toBe(16);
    expectStreamMatchesTruth(pairs, results.points[0]!.measure);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(16);
    const truthTokens = pairs.reduce((sum, p) => sum + p.truth.outputTokens, 0);
    // Tokens: the server's count where the protocol reports one, else one per content event (one token each here).
    expect(m.tokens!.usageTotal ?? m.tokens!.eventsTotal).toBe(truthTokens);
    if (name.startsWith('ollama')) {
      expect(m.tokens!.source).toBe('usage');
      expect(m.metrics.server_eval_duration).toBeDefined();
      expect(m.metrics.server_decode_tokens_per_s!.unit).toBe('tokens/s');
    }
    if (name.startsWith('tgi') || name === 'openai-responses') expect(m.tokens!.source).toBe('usage');
  });
});

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

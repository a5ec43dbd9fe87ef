import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';

/** Gradio's two modes rebuilding the same text, and every way a Gradio call fails: outcomes and messages, no timing (gradio.test.ts holds the timings to truth). */
const DATA = ['You are a helpful assistant.', 'Explain the difference between JVM and JDK.', 512, 0.1, 0.1];

describe('Gradio session protocol versus the simple API', () => {
  it('rebuilds, from diffs on the shared stream, the same text the simple API streams', async () => {
    const texts = async (mode: 'simple' | 'queue') => {
      const server = await serve({ seed: 9, ttftMs: 5, itlMs: 1, outputTokens: 'uniform:4:12' });
      try {
        const timelines: Timeline[] = [];
        await run(
          { target: { protocol: 'gradio', url: server.url, api: '/chat', data: ['Hello!!', null], mode }, load: { requests: 6 }, output: { write: false } },
          { onRequest: (t) => timelines.push(t) },
        );
        return timelines.map((t) => t.text);
      } finally {
        await server.close();
      }
    };
    const simple = await texts('simple');
    expect(simple.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    expect(await texts('queue')).toEqual(simple);
  });
});

describe('Gradio failures', () => {
  let server: ReferenceServer;
  afterAll(() => server?.close());

  async function runOnce(options: Parameters<typeof serve>[0], target: Record<string, unknown>, requests = 3) {
    await server?.close();
    server = await serve({ seed: 2, ttftMs: 5, itlMs: 2, outputTokens: 6, ...options });
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { protocol: 'gradio', url: server.url, api: '/predict', data: DATA, ...target } as never, load: { requests }, output: { write: false } },
      { onRequest: (t) => timelines.push(t) },
    );
    return { timelines, m: results.points[0]!.measure };
  }

  it.each(['simple', 'queue'])('an error mid-stream (%s) is a protocol_error with the reason, never a success', async (mode) => {
    const { timelines, m } = await runOnce({ midStreamErrorRate: 1 }, { mode });
    expect(m.counts.failed).toBe(3);
    expect(m.counts.byOutcome.protocol_error).toBe(3);
    for (const t of timelines) expect(t.error).toMatch(mode === 'simple' ? /show_error=True/ : /injected mid-stream error/);
  });

  it('an "error" event with null data says the app hides its errors', async () => {
    // Too few inputs: Gradio's validation fails inside the job, and /call reports `event: error` with `data: null`.
    const { timelines } = await runOnce({}, { data: ['only one input'] }, 1);
    expect(timelines[0]!.outcome).toBe('protocol_error');
    expect(timelines[0]!.error).toMatch(/error without a message.*show_error=True/);
  });

  it('a POST answer without an event_id is a protocol_error that names --debug post', async () => {
    await server?.close();
    server = await serve({ seed: 2 });
    server.addRoute('POST', '/gradio_api/call/noid', (context) => context.sendJson(200, { hash: 'abc' }));
    const timelines: Timeline[] = [];
    await run(
      { target: { protocol: 'gradio', url: server.url, api: '/noid', data: [] }, load: { requests: 2 }, output: { write: false } },
      { onRequest: (t) => timelines.push(t) },
    );
    for (const t of timelines) {
      expect(t.outcome).toBe('protocol_error');
      expect(t.error).toMatch(/without an event_id.*--debug post/);
    }
  });

  it.each(['simple', 'queue'])('a stream that only sends heartbeats (%s) times out instead of waiting for ever', async (mode) => {
    const { timelines, m } = await runOnce({ stallRate: 1, heartbeatMs: 15 }, { mode, timeout: '250ms' }, 2);
    expect(m.counts.byOutcome.timeout).toBe(2);
    const truth = server.groundTruth.all();
    // Heartbeats were really sent while the client waited.
    expect(truth.some((g) => g.events.filter((e) => e.kind === 'heartbeat').length >= 3)).toBe(true);
    for (const t of timelines) {
      const g = server.groundTruth.get(t.serverRequestId!)!;
      // Content up to the stall, nothing after it: heartbeats are not content.
      expect(t.content.length).toBe(g.faultAfterTokens);
    }
  });

  it('a queue that is full (HTTP 503 on the POST) is an http_error with the server detail', async () => {
    const { timelines } = await runOnce({ errorRate: 1, errorStatus: 503 }, {}, 2);
    for (const t of timelines) {
      expect(t.outcome).toBe('http_error');
      expect(t.error).toMatch(/503.*injected error/);
    }
  });
});

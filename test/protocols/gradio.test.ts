import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { median, medianError } from '../helpers/stats.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { expectStreamMatchesTruth, FAST_STREAM, measureAgainstTruth, TOLERANCE_MS, truthContent } from './truth.js';
import { expectWithinBound } from '../helpers/lateness.js';

const DATA = ['You are a helpful assistant.', 'Explain the difference between JVM and JDK.', 512, 0.1, 0.1];

describe.each([
  { version: 5 as const, mode: 'simple' as const },
  { version: 4 as const, mode: 'simple' as const },
  { version: 5 as const, mode: 'queue' as const },
  { version: 4 as const, mode: 'queue' as const },
])('Gradio v$version, $mode mode, against ground truth', ({ version, mode }) => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ seed: 5, gradioVersion: version, ...FAST_STREAM });
  });
  afterAll(() => server.close());

  it('measures submit, first_event, ttft, itl, stream_time and latency within 2 ms of truth, with the generated text', async () => {
    const { results, pairs } = await measureAgainstTruth({ protocol: 'gradio', url: server.url, api: '/predict', data: DATA, mode }, server, { concurrency: 2, requests: 20 });
    expect(pairs.length).toBe(20);
    expectStreamMatchesTruth(pairs, results.points[0]!.measure);
    const ours = { submit: [] as number[], firstEvent: [] as number[], streamTime: [] as number[] };
    const truth = { submit: [] as number[], firstEvent: [] as number[], streamTime: [] as number[] };
    for (const { t, truth: g } of pairs) {
      const submitted = g.events.find((e) => e.kind === 'submitted')!;
      const firstEvent = g.events.find((e) => e.kind !== 'submitted' && e.kind !== 'heartbeat')!;
      const content = truthContent(g);
      ours.submit.push(t.extra.submit!);
      truth.submit.push(submitted.atMs - g.receivedMs);
      ours.firstEvent.push(t.firstEventMs! - t.sentMs);
      truth.firstEvent.push(firstEvent.atMs - g.receivedMs);
      ours.streamTime.push(t.content.at(-1)!.atMs - t.firstEventMs!);
      truth.streamTime.push(content.at(-1)!.atMs - firstEvent.atMs);
      expect(t.submittedMs! - t.sentMs).toBeCloseTo(t.extra.submit!, 6);
    }
    for (const key of ['submit', 'firstEvent', 'streamTime'] as const) {
      expectWithinBound(medianError(ours[key], truth[key]), TOLERANCE_MS, results.points[0]!.measure, key);
    }
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(20);
    for (const name of ['submit', 'first_event', 'stream_time', 'latency', 'ttft', 'itl', 'chars_per_s']) expect(m.metrics[name], name).toBeDefined();
    expect(m.metrics.chars_per_s!.unit).toBe('chars/s');
    if (mode === 'queue') {
      expect(m.metrics.queue_time).toBeDefined();
      expect(m.metrics.queue_rank_count!.unit).toBe('count');
    }
  });
});

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

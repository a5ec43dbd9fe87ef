import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/model/timeline.js';
import { run } from '../../src/run/runner.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { median, medianError } from '../helpers/stats.js';
import { expectWithinBound } from '../helpers/lateness.js';

/**
 * WebSocket measurements against the reference server's ground truth (server on its own
 * thread; /ws/generate and /ws/echo ride on its HTTP port). Medians within 2 ms.
 */
const TOLERANCE_MS = 2;
let server: ServerThread;
beforeAll(async () => {
  server = await startServerThread({ seed: 3, ttftMs: 'lognormal:40ms:0.3', itlMs: 'lognormal:10ms:0.3', outputTokens: 'uniform:8:16', echoDelayMs: 'uniform:5ms:15ms' });
});
afterAll(() => server?.close());

async function measure({ path, ...target }: Record<string, unknown>, requests: number) {
  const timelines: Timeline[] = [];
  const { results } = await run(
    { target: { protocol: 'websocket', url: `${server.url.replace('http', 'ws')}${path as string}`, ...target } as never, load: { requests }, phases: { warmup: { requests: 3 } }, output: { write: false } },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const truth = (await server.groundTruth()).filter((g) => g.route === `WS ${path as string}`).slice(-requests);
  return { results, timelines, truth };
}

describe('WebSocket against ground truth', () => {
  it('stream: TTFT and ITL medians within 2 ms of the server truth; usage tokens equal the tokens sent', async () => {
    const { results, timelines, truth } = await measure(
      { path: '/ws/generate', message: { prompt: 'frame {{index}}', max_tokens: 16 }, content_path: 'token', end_path: 'done', usage_path: 'usage.completion_tokens' },
      20,
    );
    expect(results.points[0]!.measure.counts.ok).toBe(20);
    const ours = { ttft: [] as number[], itl: [] as number[] };
    const theirs = { ttft: [] as number[], itl: [] as number[] };
    timelines.forEach((t, i) => {
      const g = truth[i]!;
      const content = g.events.filter((e) => e.kind === 'content');
      expect(t.usageTokens).toBe(g.outputTokens);
      expect(t.text).toBe(g.text);
      ours.ttft.push(t.content[0]!.atMs - t.sentMs);
      theirs.ttft.push(content[0]!.atMs - g.receivedMs);
      for (let k = 1; k < t.content.length; k++) ours.itl.push(t.content[k]!.atMs - t.content[k - 1]!.atMs);
      for (let k = 1; k < content.length; k++) theirs.itl.push(content[k]!.atMs - content[k - 1]!.atMs);
    });
    expectWithinBound(medianError(ours.ttft, theirs.ttft), TOLERANCE_MS, results.points[0]!.measure, 'ttft');
    expectWithinBound(medianError(ours.itl, theirs.itl), TOLERANCE_MS, results.points[0]!.measure, 'itl');
    // The warmup opened the one connection: no measured request waited for a handshake.
    expect(results.points[0]!.measure.metrics.connect).toBeUndefined();
  });

  it('echo: per-message round trip within 2 ms of the server truth', async () => {
    const { results, timelines, truth } = await measure({ path: '/ws/echo', mode: 'echo', message: { seq: '{{index}}' } }, 30);
    expect(results.points[0]!.measure.counts.ok).toBe(30);
    const ours = median(timelines.map((t) => t.endMs - t.sentMs));
    const theirs = median(truth.map((g) => g.endMs! - g.receivedMs));
    expectWithinBound(ours - theirs, TOLERANCE_MS, results.points[0]!.measure, 'round trip');
    expect(JSON.parse(timelines[0]!.bodyPreview!).echo).toEqual({ seq: 0 });
  });

  it('an unknown path is a connection error that names the HTTP answer', async () => {
    const { results } = await run({ target: { protocol: 'websocket', url: `${server.url.replace('http', 'ws')}/ws/nope` }, load: { requests: 2 }, output: { write: false } });
    const m = results.points[0]!.measure;
    expect(m.counts.byOutcome.connection_error).toBe(2);
    expect(m.counts.errors[0]!.message).toContain('HTTP 404');
  });
});

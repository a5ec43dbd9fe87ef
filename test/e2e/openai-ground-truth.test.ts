import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/runner.js';
import type { Timeline } from '../../src/measure/timeline.js';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { median } from '../helpers/stats.js';

/**
 * Our numbers against the reference server's own ground truth. The server runs on its own
 * thread and stamps each event immediately before writing it; TTFT truth is first content
 * write − request received, ITL truth the gaps between content writes.
 * Tolerance (issue): medians within 2 ms of truth.
 */
const TOLERANCE_MS = 2;

let server: ServerThread;

beforeAll(async () => {
  server = await startServerThread({ seed: 11, ttftMs: 'lognormal:60ms:0.3', itlMs: 'lognormal:12ms:0.3', outputTokens: 'uniform:16:48' });
});
afterAll(() => server.close());

async function measure(concurrency: number, requests: number) {
  await server.clearGroundTruth();
  const timelines: Timeline[] = [];
  const { results } = await run(
    {
      target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: 64 },
      load: { concurrency, requests },
      output: { write: false },
    },
    { onRequest: (t) => timelines.push(t) },
  );
  const truthById = new Map((await server.groundTruth()).map((g) => [g.id, g]));
  const pairs = timelines.map((t) => ({ t, truth: truthById.get(t.serverRequestId!)! }));
  return { results, pairs };
}

function truthContent(truth: GroundTruthRecord) {
  return truth.events.filter((e) => e.kind === 'content' && e.tokens > 0);
}

function compare(pairs: { t: Timeline; truth: GroundTruthRecord }[]) {
  const ours = { ttft: [] as number[], itl: [] as number[] };
  const truth = { ttft: [] as number[], itl: [] as number[] };
  for (const { t, truth: g } of pairs) {
    const content = truthContent(g);
    ours.ttft.push(t.content[0]!.atMs - t.sentMs);
    truth.ttft.push(content[0]!.atMs - g.receivedMs);
    for (let i = 1; i < t.content.length; i++) ours.itl.push(t.content[i]!.atMs - t.content[i - 1]!.atMs);
    for (let i = 1; i < content.length; i++) truth.itl.push(content[i]!.atMs - content[i - 1]!.atMs);
  }
  return { ours, truth };
}

describe.each([1, 32])('OpenAI streaming against ground truth at concurrency %i', (concurrency) => {
  it('measures TTFT and ITL medians within 2 ms of the server truth, and tokens equal to usage', async () => {
    const { results, pairs } = await measure(concurrency, concurrency === 1 ? 30 : 160);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(pairs.length);
    expect(m.counts.failed).toBe(0);

    const { ours, truth } = compare(pairs);
    expect(ours.itl.length).toBe(truth.itl.length);
    expect(Math.abs(median(ours.ttft) - median(truth.ttft))).toBeLessThan(TOLERANCE_MS);
    expect(Math.abs(median(ours.itl) - median(truth.itl))).toBeLessThan(TOLERANCE_MS);
    // The summaries in the results agree with the raw timelines (HDR: 3 significant digits).
    expect(m.metrics.ttft!.summary.p50).toBeCloseTo(median(ours.ttft), 0);
    expect(Math.abs(m.metrics.ttft!.summary.p50 - median(truth.ttft))).toBeLessThan(TOLERANCE_MS);
    expect(Math.abs(m.metrics.itl!.summary.p50 - median(truth.itl))).toBeLessThan(TOLERANCE_MS);
    expect(m.metrics.itl!.summary.count).toBe(truth.itl.length);

    for (const { t, truth: g } of pairs) {
      expect(t.usageTokens).toBe(g.outputTokens);
      expect(t.content.length).toBe(truthContent(g).length);
      expect(t.text).toBe(g.text);
    }
    const totalTruthTokens = pairs.reduce((a, p) => a + p.truth.outputTokens, 0);
    expect(m.tokens.source).toBe('usage');
    expect(m.tokens.totalOutputTokens).toBe(totalTruthTokens);
    expect(m.metrics.output_tokens!.summary.count).toBe(pairs.length);
  });
});

describe('first event versus first token', () => {
  it('counts the role-only first chunk as first_event, not ttft', async () => {
    const { pairs } = await measure(1, 10);
    for (const { t, truth } of pairs) {
      const role = truth.events.find((e) => e.kind === 'role')!;
      const firstContent = truthContent(truth)[0]!;
      expect(role.atMs).toBeLessThan(firstContent.atMs);
      // first_event arrives with the role chunk, long before the first token.
      const ourGap = t.content[0]!.atMs - t.firstEventMs!;
      const trueGap = firstContent.atMs - role.atMs;
      expect(trueGap).toBeGreaterThan(20);
      expect(Math.abs(ourGap - trueGap)).toBeLessThan(TOLERANCE_MS);
      expect(Math.abs(t.firstEventMs! - t.sentMs - (role.atMs - truth.receivedMs))).toBeLessThan(TOLERANCE_MS * 2);
    }
  });
});

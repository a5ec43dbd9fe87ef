import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { median, nearestRank, medianError } from '../helpers/stats.js';
import { expectWithinBound } from '../helpers/lateness.js';

/**
 * Our numbers against the reference server's own ground truth. The server runs on its own
 * thread and stamps each event immediately before writing it; TTFT truth is first content
 * write − request received, ITL truth the gaps between content writes.
 * Tolerance (issue): medians within 2 ms of truth, plus the client's own measured lateness in
 * the phase on a busy machine (test/helpers/lateness.ts).
 */
const TOLERANCE_MS = 2;

let server: ServerThread;

beforeAll(async () => {
  server = await startServerThread({ seed: 11, ttftMs: 'lognormal:60ms:0.3', itlMs: 'lognormal:10ms:0.3', outputTokens: 'uniform:16:32' });
});
afterAll(() => server.close());

async function measure(concurrency: number, requests: number, on: ServerThread = server) {
  const timelines: Timeline[] = [];
  await on.lateness(); // starts the server thread's span
  const { results } = await run(
    {
      target: { protocol: 'openai', url: `${on.url}/v1/chat/completions`, max_tokens: 64 },
      load: { concurrency, requests },
      // Warmup opens the connections, so the measured requests are not the connection burst.
      phases: { warmup: { requests: concurrency } },
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const serverLateness = await on.lateness();
  const truthById = new Map((await on.groundTruth()).map((g) => [g.id, g]));
  const pairs = timelines.map((t) => ({ t, truth: truthById.get(t.serverRequestId!)! }));
  return { results, pairs, serverLateness };
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
    // An odd count at c=1: the median is one request, as the summary's nearest-rank p50 is.
    const { results, pairs, serverLateness } = await measure(concurrency, concurrency === 1 ? 13 : 192);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(pairs.length);
    expect(m.counts.failed).toBe(0);

    const { ours, truth } = compare(pairs);
    expect(ours.itl.length).toBe(truth.itl.length);
    expectWithinBound(medianError(ours.ttft, truth.ttft), TOLERANCE_MS, m, 'ttft', 'stamps', serverLateness);
    expectWithinBound(medianError(ours.itl, truth.itl), TOLERANCE_MS, m, 'itl', 'stamps', serverLateness);
    // The summaries in the results agree with the raw timelines (HDR: 3 significant digits, nearest rank).
    expect(Math.abs(m.metrics.ttft!.summary.p50 / nearestRank(ours.ttft, 0.5) - 1)).toBeLessThan(0.002);
    expectWithinBound(m.metrics.ttft!.summary.p50 - median(truth.ttft), TOLERANCE_MS, m, 'p50(ttft)', 'stamps', serverLateness);
    expectWithinBound(m.metrics.itl!.summary.p50 - median(truth.itl), TOLERANCE_MS, m, 'p50(itl)', 'stamps', serverLateness);
    expect(m.metrics.itl!.summary.count).toBe(truth.itl.length);

    for (const { t, truth: g } of pairs) {
      expect(t.usageTokens).toBe(g.outputTokens);
      expect(t.content.length).toBe(truthContent(g).length);
      expect(t.text).toBe(g.text);
    }
    const totalTruthTokens = pairs.reduce((a, p) => a + p.truth.outputTokens, 0);
    expect(m.tokens!.source).toBe('usage');
    expect(m.tokens!.totalOutputTokens).toBe(totalTruthTokens);
    expect(m.metrics.output_tokens!.summary.count).toBe(pairs.length);
  });
});

describe('first event versus first token', () => {
  it('counts the role-only first chunk as first_event, not ttft', async () => {
    // The role chunk goes out with the headers, well before the first token.
    const early = await startServerThread({ seed: 3, ttftMs: '60ms', itlMs: '10ms', outputTokens: 8, roleChunkAt: 'headers' });
    const { pairs, results, serverLateness } = await measure(1, 10, early).finally(() => early.close());
    const m = results.points[0]!.measure;
    expect(m.metrics.first_event!.summary.p50).toBeLessThan(m.metrics.ttft!.summary.p50 - 40);
    const ourFirstEvent: number[] = [];
    const trueFirstEvent: number[] = [];
    for (const { t, truth } of pairs) {
      const role = truth.events.find((e) => e.kind === 'role')!;
      const firstContent = truthContent(truth)[0]!;
      // first_event arrives with the role chunk, long before the first token.
      expect(firstContent.atMs - role.atMs).toBeGreaterThan(40);
      expect(t.content[0]!.atMs - t.firstEventMs!).toBeGreaterThan(40);
      ourFirstEvent.push(t.firstEventMs! - t.sentMs);
      trueFirstEvent.push(role.atMs - truth.receivedMs);
    }
    expectWithinBound(medianError(ourFirstEvent, trueFirstEvent), TOLERANCE_MS, m, 'first_event', 'stamps', serverLateness);
  });
});

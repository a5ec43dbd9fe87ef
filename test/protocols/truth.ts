import { expect } from 'vitest';
import type { Timeline } from '../../src/model/timeline.js';
import type { Target } from '../../src/protocols/schemas.js';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';
import { run } from '../../src/run/runner.js';
import type { PhaseResult, Results } from '../../src/model/results.js';
import { median, medianError } from '../helpers/stats.js';
import { expectWithinBound } from '../helpers/lateness.js';
import type { ServerLateness } from '../helpers/server-thread.js';

/** Issue 3: medians within 2 ms of the reference server's own send times. */
export const TOLERANCE_MS = 2;

export interface Pair {
  t: Timeline;
  truth: GroundTruthRecord;
}

/** Runs `target` through the real runner and pairs each measured request with the server's record of it. */
export async function measureAgainstTruth(
  target: Target | Record<string, unknown>,
  server: { groundTruth(): Promise<GroundTruthRecord[]>; lateness?(): Promise<ServerLateness> },
  load: { concurrency: number; requests: number },
): Promise<{ results: Results; pairs: Pair[]; timelines: Timeline[]; serverLateness?: ServerLateness }> {
  const timelines: Timeline[] = [];
  await server.lateness?.(); // starts the server thread's span
  const { results } = await run(
    {
      target: target as never,
      load,
      // Warmup opens the connections, so the measured requests are not the connection burst.
      phases: { warmup: { requests: load.concurrency } },
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const serverLateness = await server.lateness?.();
  const truthById = new Map((await server.groundTruth()).map((g) => [g.id, g]));
  const pairs = timelines.filter((t) => t.serverRequestId && truthById.has(t.serverRequestId)).map((t) => ({ t, truth: truthById.get(t.serverRequestId!)! }));
  return { results, pairs, timelines, serverLateness };
}

export function truthContent(truth: GroundTruthRecord) {
  return truth.events.filter((e) => e.kind === 'content' && e.tokens > 0);
}

/**
 * TTFT, ITL and latency medians against truth (the bound plus the client's own measured lateness
 * in `phase`, and the server thread's when given); every content event and all the text accounted for.
 */
export function expectStreamMatchesTruth(pairs: Pair[], phase: PhaseResult, opts: { itl?: boolean; server?: ServerLateness } = {}): void {
  expect(pairs.length).toBeGreaterThan(0);
  const ours = { ttft: [] as number[], itl: [] as number[], latency: [] as number[] };
  const truth = { ttft: [] as number[], itl: [] as number[], latency: [] as number[] };
  for (const { t, truth: g } of pairs) {
    expect(t.outcome, t.error).toBe('ok');
    const content = truthContent(g);
    ours.ttft.push(t.content[0]!.atMs - t.sentMs);
    truth.ttft.push(content[0]!.atMs - g.receivedMs);
    ours.latency.push(t.endMs - t.sentMs);
    truth.latency.push(g.endMs! - g.receivedMs);
    for (let i = 1; i < t.content.length; i++) ours.itl.push(t.content[i]!.atMs - t.content[i - 1]!.atMs);
    for (let i = 1; i < content.length; i++) truth.itl.push(content[i]!.atMs - content[i - 1]!.atMs);
    expect(t.text).toBe(g.text);
    expect(t.content.length).toBe(content.length);
  }
  expectWithinBound(medianError(ours.ttft, truth.ttft), TOLERANCE_MS, phase, 'ttft', 'stamps', opts.server);
  expectWithinBound(medianError(ours.latency, truth.latency), TOLERANCE_MS, phase, 'latency', 'stamps', opts.server);
  if (opts.itl !== false) {
    expect(ours.itl.length).toBe(truth.itl.length);
    expectWithinBound(medianError(ours.itl, truth.itl), TOLERANCE_MS, phase, 'itl', 'stamps', opts.server);
  }
}

/** Server options that keep a test file fast while leaving real gaps to measure. */
export const FAST_STREAM = { ttftMs: 'lognormal:40ms:0.3', itlMs: 'lognormal:8ms:0.3', outputTokens: 'uniform:8:16' } as const;

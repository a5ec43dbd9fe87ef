import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochMsOf } from '../../src/model/clock.js';
import type { LoadShare } from '../../src/load/share.js';
import { run, type Progress } from '../../src/run/runner.js';
import { readResults } from '../../src/results/writer.js';
import type { Results } from '../../src/model/results.js';
import { MergeError, mergeSegmentParts, type ResultsPart } from '../../src/results/merge.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * One seeded open-loop scenario run three ways: on one thread, on 2 worker threads, and as 4
 * segments merged. Every way must plan exactly the same intended start times (as offsets from
 * the phase origin) for the same request indices, and merging must add counts exactly.
 */
let server: ServerThread;
const dir = mkdtempSync(join(tmpdir(), 'inferbench-segments-'));

beforeAll(async () => {
  server = await startServerThread({ seed: 3 });
});
afterAll(() => server.close());

const REQUESTS = 240;
const scenario = (): ScenarioInput =>
  ({
    name: 'segments',
    target: { protocol: 'http', url: `${server.url}/echo`, method: 'GET' },
    load: { mode: 'rate', rate: 400, arrival: 'poisson', requests: REQUESTS, seed: 42 },
    output: { dir },
  }) as ScenarioInput;

interface Planned {
  results: Results;
  path?: string;
  /** index → intended start, ms after the measure phase's origin. */
  offsets: Map<number, number>;
}

async function runWay(options: { workers?: number; segment?: LoadShare }, input = scenario()): Promise<Planned> {
  const offsets = new Map<number, number>();
  let results!: Results;
  const scheduled: { index: number; scheduledMs: number }[] = [];
  let lastProgress: Progress | undefined;
  const out = await run(input, {
    ...options,
    onRequest: (t, phase) => phase === 'measure' && scheduled.push({ index: t.index, scheduledMs: t.scheduledMs! }),
    onProgress: (p) => p.phase === 'measure' && (lastProgress = p),
  });
  results = out.results;
  // The last progress of the phase covers every thread: all of this run's share done, of its own total.
  expect(lastProgress).toMatchObject({ done: scheduled.length, sent: scheduled.length, total: scheduled.length, inFlight: 0 });
  const origin = results.points[0]!.measure.startedAtEpochMs;
  for (const s of scheduled) {
    expect(offsets.has(s.index)).toBe(false);
    offsets.set(s.index, epochMsOf(s.scheduledMs) - origin);
  }
  return { results, path: out.path, offsets };
}

/**
 * Same request indices, same intended offsets. Offsets pass through epoch milliseconds (to
 * cross threads), whose doubles resolve ~0.25 µs, so equal means within 1 µs.
 */
function expectSameSchedule(actual: Map<number, number>, expected: Map<number, number>): void {
  expect([...actual.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
  const worst = Math.max(...[...expected].map(([i, offset]) => Math.abs(actual.get(i)! - offset)));
  expect(worst).toBeLessThan(0.001);
}

describe('one schedule, three ways', () => {
  let single: Planned;
  let workers: Planned;
  let segments: Planned[];

  beforeAll(async () => {
    single = await runWay({ workers: 1 });
    workers = await runWay({ workers: 2 }, { ...scenario(), output: { dir, records: 'ndjson' } } as ScenarioInput);
    segments = [];
    for (let i = 0; i < 4; i++) segments.push(await runWay({ segment: { index: i, count: 4 } }));
  });

  it('plans identical intended start times on 1 thread, 2 workers and 4 segments', () => {
    expect(single.offsets.size).toBe(REQUESTS);
    expectSameSchedule(workers.offsets, single.offsets);
    const union = new Map(segments.flatMap((s) => [...s.offsets]));
    expect(union.size).toBe(REQUESTS);
    expectSameSchedule(union, single.offsets);
    // Each segment owns every 4th arrival.
    for (const [i, s] of segments.entries()) expect([...s.offsets.keys()].every((index) => index % 4 === i)).toBe(true);
  });

  it('marks parts with their segment and merges them exactly', async () => {
    const parts: ResultsPart[] = [];
    for (const s of segments) {
      expect(s.results.segment).toEqual({ index: segments.indexOf(s), count: 4 });
      expect(s.path).toMatch(new RegExp(`segments_segment-${segments.indexOf(s)}-of-4_\\d{8}_\\d{6}\\.json$`));
      parts.push({ source: s.path!, results: await readResults(s.path!) });
    }
    const merged = mergeSegmentParts(parts);
    const m = merged.points[0]!.measure;
    const sum = (f: (r: Results) => number) => segments.reduce((a, s) => a + f(s.results), 0);
    expect(m.counts.sent).toBe(sum((r) => r.points[0]!.measure.counts.sent));
    expect(m.counts.sent).toBe(REQUESTS);
    expect(m.counts.ok).toBe(sum((r) => r.points[0]!.measure.counts.ok));
    for (const metric of ['latency', 'ttfb', 'queue_delay']) {
      expect(m.metrics[metric]!.summary.count).toBe(sum((r) => r.points[0]!.measure.metrics[metric]!.summary.count));
    }
    expect(m.series.sent.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(merged.segment).toBeUndefined();
    expect(merged.mergedFrom?.parts).toBe(4);
    // The 2-worker run merged its threads the same way: every request counted once.
    expect(workers.results.workers).toBe(2);
    // Records from both threads stream into the one records file.
    const records = readFileSync(workers.path!.replace(/\.json$/, '.records.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { phase: string });
    expect(records.filter((r) => r.phase === 'measure')).toHaveLength(REQUESTS);
    expect(workers.results.points[0]!.measure.metrics.latency!.summary.count).toBe(single.results.points[0]!.measure.metrics.latency!.summary.count);
  });

  it('rejects a missing segment, a duplicate and a part from another scenario, each with a clear message', async () => {
    const parts = segments.map((s) => ({ source: s.path!, results: s.results }));
    const problems = (p: ResultsPart[]) => {
      try {
        mergeSegmentParts(p);
      } catch (err) {
        expect(err).toBeInstanceOf(MergeError);
        return (err as MergeError).problems;
      }
      throw new Error('merge accepted bad parts');
    };
    expect(problems(parts.slice(0, 3))).toEqual([expect.stringMatching(/^missing segment 3\/4 \(have 0\/4, 1\/4, 2\/4\)/)]);
    expect(problems([...parts, parts[1]!])).toEqual([expect.stringMatching(/^segment 1\/4 appears twice: .*segment-1-of-4.* and .*segment-1-of-4/)]);

    // Its own file: a part written in the same second into the same directory would replace segment 3's.
    const foreignInput = { ...scenario(), load: { ...(scenario().load as object), rate: 800, requests: 8 }, output: { file: join(dir, 'foreign', 'part-3.json') } };
    const foreign = await runWay({ segment: { index: 3, count: 4 } }, foreignInput as ScenarioInput);
    const mixed = problems([...parts.slice(0, 3), { source: foreign.path!, results: foreign.results }]);
    expect(mixed).toEqual([expect.stringMatching(/is from another scenario than .* \(they differ at load\.rate \(400 vs 800\)\)/)]);
  });

  it('inferbench merge writes the merged file, and refuses bad parts with exit code 2', async () => {
    const out = join(dir, 'merged.json');
    const ok = await runCli(['merge', ...segments.map((s) => s.path!), '-o', out, '--quiet']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((await readResults(out)).points[0]!.measure.counts.sent).toBe(REQUESTS);

    const bad = await runCli(['merge', segments[0]!.path!, segments[0]!.path!, '-o', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('segment 0/4 appears twice');
    expect(bad.stderr).toContain('missing segments 1/4, 2/4, 3/4');
  });
});

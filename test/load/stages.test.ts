import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constantArrivals } from '../../src/load/arrivals.js';
import { rampedSchedule, stageSpans, userWindows } from '../../src/load/stages.js';
import { run, serve, type Timeline } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';

describe('staged profiles (pure)', () => {
  it('starts user u when the line reaches u + 1 users and retires it when it falls below', () => {
    const spans = stageSpans([{ duration: 1000, concurrency: 4 }, { duration: 1000, concurrency: 4 }, { duration: 1000, concurrency: 2 }], false);
    expect(userWindows(spans, 0)).toEqual([{ startMs: 250, endMs: 3000 }]);
    expect(userWindows(spans, 3)).toEqual([{ startMs: 1000, endMs: 2000 }]);
    expect(userWindows(spans, 2)).toEqual([{ startMs: 750, endMs: 2500 }]);
    expect(userWindows(spans, 4)).toEqual([]);
  });

  it('maps a 1 req/s schedule through the cumulative rate: a ramp 0 → 100/s over 2 s sends 25 then 75', () => {
    const spans = stageSpans([{ duration: 2000, rate: 100 }, { duration: 1000, rate: 100 }], true);
    const schedule = rampedSchedule(spans, constantArrivals(1000));
    const offsets: number[] = [];
    for (let t = schedule(); t <= 3000; t = schedule()) offsets.push(t);
    expect(offsets.filter((t) => t < 1000)).toHaveLength(25);
    expect(offsets.filter((t) => t >= 1000 && t < 2000)).toHaveLength(75);
    expect(offsets.filter((t) => t >= 2000)).toHaveLength(100);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThanOrEqual(offsets[i - 1]!);
  });

  it('refuses a staged load that also names a count, and locust\'s spawn rate without a run time', () => {
    const problems = (load: Record<string, unknown>) => {
      try {
        resolveScenario({ target: { protocol: 'http', url: 'http://127.0.0.1:1/' }, load });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(problems({ stages: [{ duration: '1s', concurrency: 2 }], requests: 10 })).toContain('load.stages: a staged load lasts as long as its stages');
    expect(problems({ concurrency: 5, spawn_rate: 1 })).toContain('load.spawn_rate: spawn_rate ramps users up over time; give the run a duration');
    expect(problems({ stages: [{ duration: '1s', rate: 5 }, { duration: '1s', concurrency: 2 }] })).toContain('load.stages: a stage sets concurrency but the load is an open loop');
    expect(problems({ concurrency: 2, think_time: '3s..1s' })).toContain('load.think_time');
    const load = (l: Record<string, unknown>) => resolveScenario({ target: { protocol: 'http', url: 'http://127.0.0.1:1/' }, load: l }).scenario.load;
    expect(load({ concurrency: 2, think_time: '1s..3s' }).think_time).toEqual({ minMs: 1000, maxMs: 3000 });
    expect(load({ concurrency: 2, think_time: { min: '500ms', max: 2 } }).think_time).toEqual({ minMs: 500, maxMs: 2000 });
    expect(load({ concurrency: 2, think_time: '250ms' }).think_time).toEqual({ minMs: 250, maxMs: 250 });
  });
});

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 4, echoDelayMs: '20ms' });
});
afterAll(() => server.close());

describe('staged runs against the reference server', () => {
  it('ramps users 0 → 4 over 1 s and holds them 1 s; each stage kept apart, the whole run over time', async () => {
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { protocol: 'http', url: `${server.url}/echo` }, load: { stages: [{ duration: '1s', concurrency: 4, label: 'ramp-up' }, { duration: '1s', concurrency: 4, label: 'hold' }] }, output: { write: false } },
      { onRequest: (t) => timelines.push(t) },
    );
    const point = results.points[0]!;
    const [ramp, hold] = point.stages!;
    expect(ramp).toMatchObject({ label: 'ramp-up', from: 0, to: 4, unit: 'users', startOffsetMs: 0, durationMs: 1000 });
    expect(hold).toMatchObject({ label: 'hold', from: 4, to: 4 });
    // Every request belongs to exactly one stage; the whole run is their sum.
    expect(ramp!.measure.counts.sent + hold!.measure.counts.sent).toBe(point.measure.counts.sent);
    expect(point.measure.counts.failed).toBe(0);
    expect(hold!.measure.concurrency.max).toBeLessThanOrEqual(4);
    // Ramp-up averages 1.5 users over its second (¾ of a second of the 4th is absent); holding, 4.
    expect(hold!.measure.counts.sent).toBeGreaterThan(ramp!.measure.counts.sent);
    // User u's requests carry indices j × 4 + u: unique.
    expect(new Set(timelines.map((t) => t.index)).size).toBe(timelines.length);
    expect(point.measure.series.sent.length).toBeGreaterThanOrEqual(2);
  });

  it('as locust --users 3 --spawn-rate 3 --run-time 2s: a 1 s ramp, then steady; think time between bounds', async () => {
    const { results } = await run({
      target: { protocol: 'http', url: `${server.url}/echo` },
      load: { concurrency: 3, spawn_rate: 3, duration: '2s', think_time: '10ms..30ms' },
      output: { write: false },
    });
    const stages = results.points[0]!.stages!;
    expect(stages.map((s) => [s.label, s.from, s.to, s.durationMs])).toEqual([
      ['ramp-up', 0, 3, 1000],
      ['steady', 3, 3, 1000],
    ]);
    expect(results.points[0]!.measure.counts.failed).toBe(0);
  });
});

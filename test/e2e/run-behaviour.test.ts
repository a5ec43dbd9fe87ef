import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/model/timeline.js';
import { arrivalSchedule } from '../../src/load/arrivals.js';
import { mixSeed } from '../../src/random.js';
import { run } from '../../src/run/runner.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { quantile } from '../helpers/stats.js';
import { expectWithinBound } from '../helpers/lateness.js';

describe('open loop', () => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ seed: 5, echoDelayMs: '2ms' });
  });
  afterAll(() => server.close());

  it('keeps a Poisson schedule of 200 req/s for 5 s within 3% of the target rate, with exponential spread', async () => {
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: { protocol: 'http', url: `${server.url}/echo`, method: 'POST', body: { i: '{{index}}' } },
        // The default seed. A Poisson count over 5 s has its own sampling noise (±3.2% at one
        // standard deviation); this seed's schedule holds 989 arrivals, so the 3% check below
        // tests the client, and the schedule is compared with its own realisation as well.
        load: { rate: 200, arrival: 'poisson', duration: '5s', seed: 42 },
        output: { write: false },
      },
      { onRequest: (t) => timelines.push(t) },
    );
    const m = results.points[0]!.measure;
    expect(m.counts.failed).toBe(0);
    expect(m.counts.sent).toBe(timelines.length);
    // Achieved rate: requests started over the 5 s window the schedule covered.
    const achieved = m.counts.sent / 5;
    expect(Math.abs(achieved / 200 - 1)).toBeLessThan(0.03);
    // Every arrival of the schedule was sent: none skipped, none dropped.
    const schedule = arrivalSchedule('poisson', 200, mixSeed(42, 2));
    let planned = 0;
    while (schedule() < 5000) planned++;
    expect(m.counts.sent).toBe(planned);
    expect(m.counts.dropped).toBe(0);

    // Each request left on its intended time (the client kept the schedule)...
    const lateness = timelines.map((t) => t.sentMs - t.scheduledMs!);
    expectWithinBound(quantile(lateness, 0.5), 1, m, 'median send lateness', 'schedule');
    // The share of late sends in the results is exactly what the timelines show (client health):
    // late means later than one gap between arrivals (5 ms at 200 req/s).
    expect(m.clientHealth.lateSendThresholdMs).toBe(5);
    expect(m.clientHealth.lateSendShare).toBeCloseTo(lateness.filter((l) => l > 5).length / lateness.length, 6);
    // ...and what the server saw arrive has exponential gaps: coefficient of variation near 1.
    const arrivals = (await server.groundTruth()).map((g) => g.receivedMs).sort((a, b) => a - b);
    const gaps = arrivals.slice(1).map((a, i) => a - arrivals[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const cv = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length) / mean;
    expect(mean).toBeGreaterThan(4.85);
    expect(mean).toBeLessThan(5.15);
    expect(cv).toBeGreaterThan(0.9);
    expect(cv).toBeLessThan(1.1);
    // Latency counts from the intended start, so it is never below the service time.
    expect(m.metrics.latency!.summary.mean).toBeGreaterThanOrEqual(m.metrics.service_time!.summary.mean);
    expect(m.metrics.queue_delay!.summary.count).toBe(m.counts.sent);
  });
});

import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread } from '../helpers/server-thread.js';

/** The sweep profile through the built CLI: where the knee lies depends on measured latency, so this runs with the timing tests. */
describe('--profile sweep', () => {
  it("finds the reference server's knee and reports goodput at the SLO for every rate", async () => {
    // 4 ms more TTFT per request already in flight: latency doubles near 125 req/s offered.
    const queued = await startServerThread({ seed: 5, ttftMs: '20ms', itlMs: '2ms', outputTokens: 32, ttftPerInFlightMs: 4 });
    try {
      const r = await runCli(['run', '--url', `${queued.url}/v1/chat/completions`, '--max-tokens', '32', '--profile', 'sweep', '--rates', '4', '--arrival', 'constant', '-n', '30', '--slo', 'ttft<=150ms', '--no-write', '--json']);
      expect(r.code, r.stderr).toBe(ExitCode.ok);
      const results = JSON.parse(r.stdout) as Results;
      const profile = results.profile!;
      expect(results.points.map((p) => p.label.split(' ')[0])).toEqual(['synchronous', 'throughput', 'rate=' + profile.rates![0] + '/s', ...profile.rates!.slice(1).map((x) => `rate=${x}/s`)]);
      expect(profile.rates).toHaveLength(4);
      expect(profile.synchronousRate!).toBeLessThan(profile.throughputRate!);
      for (const rate of profile.rates!) expect(rate > profile.synchronousRate! && rate < profile.throughputRate!).toBe(true);
      for (const p of results.points) {
        expect(p.measure.goodput!.slos[0]!.slo).toBe('ttft<=150ms');
        expect(p.measure.goodput!.requests).toBe(30);
      }
      const knee = profile.knee!;
      const sync = knee.synchronousLatencyP50Ms;
      expect(knee.offeredRate).toBeDefined();
      expect(knee.latencyP50Ms!).toBeLessThanOrEqual(2 * sync);
      if (knee.firstBehindOfferedRate !== undefined) {
        expect(knee.firstBehindOfferedRate).toBeGreaterThan(knee.offeredRate!);
        expect(knee.firstBehindLatencyP50Ms!).toBeGreaterThan(2 * sync);
      }
      expect(r.stderr).toMatch(/knee: median latency [\d.]+ ms unloaded/);
      expect(r.stderr).toMatch(/goodput req\/s \(share\)/);
    } finally {
      await queued.close();
    }
  });
});

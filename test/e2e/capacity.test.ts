import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCapacity, requestsForPercentiles } from '../../src/run/capacity-search.js';
import { parseConditions } from '../../src/conditions/condition.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { runCli } from '../helpers/cli.js';

/**
 * The documented knee: TTFT = 5 ms + 10 ms per other request in flight, so a closed loop at
 * concurrency c sees TTFT ≈ 5 + 10(c − 1) ms: 45 ms at 5, 55 ms at 6. With the SLO
 * p80(ttft) < 50ms the answer is 5, and the search must find it within one step.
 */
let server: ServerThread;
beforeAll(async () => {
  server = await startServerThread({ seed: 9, ttftMs: 5, ttftPerInFlightMs: 10, itlMs: 1, outputTokens: 2 });
});
afterAll(() => server.close());

const target = () => ({ protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: 2 });

describe('capacity search', () => {
  it('asks for 20 requests beyond the tightest percentile', () => {
    expect(requestsForPercentiles(parseConditions('p95(ttfc)<400ms and p99(latency)<750ms'))).toBe(2000);
    expect(requestsForPercentiles(parseConditions('p80(ttft)<50ms'))).toBe(100);
    expect(requestsForPercentiles(parseConditions('rtf<0.5'))).toBe(20);
  });

  it('finds the knee of a server whose TTFT grows with concurrency, exponential then binary', async () => {
    const result = await findCapacity({ target: target() }, { conditions: parseConditions('p80(ttft) < 50ms'), over: 'concurrency', start: 1, max: 64, step: 1 });
    expect(Math.abs(result.best!.load - 5)).toBeLessThanOrEqual(1);
    expect(result.firstFailing!.load - result.best!.load).toBe(1);
    // Doubling until the first miss (8), then bisecting 4..8: two more probes (6, then 5 or 7).
    const loads = result.probes.map((p) => p.load);
    expect(loads).toEqual(expect.arrayContaining([1, 2, 4, 8, 6]));
    expect(loads).toHaveLength(6);
    expect(result.probes.every((p) => p.requests === 100 && p.warmup >= 5)).toBe(true);
    expect(result.answer).toMatch(new RegExp(`^${result.best!.load} concurrent streams meet the SLO; ${result.firstFailing!.load} do not: p80 ttft \\d+(\\.\\d+)? ms$`));
  });

  it('the CLI prints the curve and the answer, and rejects a bad SLO with the fix', async () => {
    const bad = await runCli(['capacity', '--url', `${server.url}/v1/chat/completions`, '--slo', 'p95(ttfc) < fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--slo');
    expect(bad.stderr).toContain('--slo[0]: "p95(ttfc) < fast": expected a number after "<" at column 13');
    expect(bad.stderr).toContain('e.g. "p95(ttft)<400ms"');
    const ok = await runCli(['capacity', '--url', `${server.url}/v1/chat/completions`, '--max-tokens', '2', '--slo', 'p50(ttft)<50ms', '--max', '16']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/concurrency\s+requests\s+ok\s+failed\s+p50\(ttft\)<50ms\s+verdict/);
    expect(ok.stdout).toMatch(/\n[4-6] concurrent streams meet the SLO; [5-7] do not: p50 ttft \d+/);
  });
});

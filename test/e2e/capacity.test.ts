import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCapacity, requestsForPercentiles } from '../../src/run/capacity-search.js';
import { parseConditions } from '../../src/conditions/condition.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readResults } from '../../src/results/writer.js';

/**
 * The documented knee: TTFT = 5 ms + 20 ms per other request in flight, so a closed loop at
 * concurrency c sees TTFT ≈ 5 + 20(c − 1) ms: 45 ms at 3, 65 ms at 4. With the SLO
 * p80(ttft) < 55ms the answer is 3 (10 ms from the bound on either side, so a busy client's own
 * lateness does not move it), and the search must find it within one step.
 */
let server: ServerThread;
beforeAll(async () => {
  server = await startServerThread({ seed: 9, ttftMs: 5, ttftPerInFlightMs: 20, itlMs: 1, outputTokens: 2 });
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
    const result = await findCapacity({ target: target() }, { conditions: parseConditions('p80(ttft) < 55ms'), over: 'concurrency', start: 1, max: 64, step: 1 });
    expect(result.best!.load).toBe(3);
    expect(result.firstFailing!.load - result.best!.load).toBe(1);
    // Doubling until the first miss (4), then bisecting 2..4: one more probe (3).
    expect(result.probes.map((p) => p.load)).toEqual([1, 2, 3, 4]);
    expect(result.probes.every((p) => p.requests === 100 && p.warmup >= 5)).toBe(true);
    expect(result.answer).toMatch(new RegExp(`^${result.best!.load} concurrent streams meet the SLO; ${result.firstFailing!.load} do not: p80 ttft \\d+(\\.\\d+)? ms$`));
  });

  it('the CLI prints the curve and the answer, and rejects a bad SLO with the fix', async () => {
    const bad = await runCli(['capacity', '--url', `${server.url}/v1/chat/completions`, '--slo', 'p95(ttfc) < fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--slo');
    expect(bad.stderr).toContain('--slo[0]: "p95(ttfc) < fast": expected a number after "<" at column 13');
    expect(bad.stderr).toContain('e.g. "p95(ttft)<400ms"');
    const dir = mkdtempSync(join(tmpdir(), 'inferbench-capacity-'));
    const ok = await runCli(['capacity', '--url', `${server.url}/v1/chat/completions`, '--max-tokens', '2', '--slo', 'p50(ttft)<55ms', '--max', '16', '--output-dir', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/concurrency\s+requests\s+ok\s+failed\s+p50\(ttft\)<55ms\s+verdict/);
    // The server thread adds 20 ms of TTFT per other request in flight: 3 streams 45 ms, 4 streams 65 ms.
    expect(ok.stdout, ok.stdout + ok.stderr).toMatch(/\n3 concurrent streams meet the SLO; 4 do not: p50 ttft \d+/);
    // A results file, always: every probe a load point, the search and its answer beside them.
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^inferbench_capacity_\d{8}_\d{6}\.json$/);
    const results = await readResults(join(dir, file!));
    expect(results.interrupted).toBe(false);
    expect(results.capacity!.answer).toBe(/\n(3 concurrent streams meet[^\n]*)/.exec(ok.stdout)![1]);
    expect(results.points.map((p) => p.label)).toEqual(results.capacity!.probes.map((p) => `concurrency=${p.load}`));
  });
});

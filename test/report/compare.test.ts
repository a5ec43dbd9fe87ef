import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type ComparisonRow } from '../../src/report/compare.js';
import { parseConditions } from '../../src/conditions/condition.js';
import type { Results } from '../../src/model/results.js';
import { writeResultsAtomic } from '../../src/results/writer.js';
import { run } from '../../src/run/runner.js';
import { runCli } from '../helpers/cli.js';
import { startReseedableServer, type ReseedableServer } from '../helpers/reseedable-server.js';
import { clientLatenessMs } from '../helpers/lateness.js';

let server: ReseedableServer;
/** TTFT 200 ms before, 260 ms after. */
let slower: { before: Results; after: Results };
beforeAll(async () => {
  server = await startReseedableServer();
  slower = { before: await referenceRun('lognormal:200ms:0.15', 5), after: await referenceRun('lognormal:260ms:0.15', 6) };
}, 20_000);
afterAll(async () => {
  await server?.close();
});

/**
 * One small run against a freshly seeded reference server on its own thread: `requests`
 * streams at once (after a warmup wave that opens the connections), true TTFT drawn from the
 * seeded distribution `ttftMs`, a few fast tokens, so a run takes about half a second.
 */
async function referenceRun(ttftMs: string, seed: number, requests = 48): Promise<Results> {
  const url = await server.restart({ ttftMs, itlMs: '1ms', outputTokens: 4, seed });
  const { results } = await run({
    name: 'ttft',
    target: { protocol: 'openai', url: `${url}/v1/chat/completions`, model: 'm', max_tokens: 4 },
    load: { mode: 'concurrency', concurrency: requests, requests },
    phases: { warmup: { requests } },
    tokenizer: 'none',
    output: { write: false },
  });
  return results;
}

const row = (rows: ComparisonRow[], label: string) => rows.find((r) => r.label === label)!;

describe('compare on the reference server', () => {
  it('says "worse" for TTFT 200 → 260 ms, with an interval that excludes zero', async () => {
    const ttft = row(compareRuns(slower.before, slower.after).points[0]!.rows, 'ttft (p50)');
    expect(ttft.verdict).toBe('worse');
    expect(ttft.interval!.low).toBeGreaterThan(0);
    // The measured change of the median is the true 60 ms within the draws' spread (σ ≈ 30–40 ms),
    // plus what each run's client measured of its own lateness (a busy machine delays either run).
    const late = clientLatenessMs(slower.before.points[0]!.measure) + clientLatenessMs(slower.after.points[0]!.measure);
    expect(Math.abs(ttft.after - ttft.before - 60)).toBeLessThan(35 + late);
    expect(ttft.pValue).toBeLessThan(0.01);
    // The change in % is the same change of the median (its size is the machine's, bounded above).
    expect(ttft.changePercent).toBeCloseTo(((ttft.after - ttft.before) / ttft.before) * 100, 6);
    expect(ttft.changePercent).toBeGreaterThan(0);
  });

  it('prints the table, markdown and PASS/MISS from the CLI, and --fail-on worse exits 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-compare-'));
    const beforePath = join(dir, 'before.json');
    const afterPath = join(dir, 'after.json');
    await writeResultsAtomic(beforePath, slower.before);
    await writeResultsAtomic(afterPath, slower.after);

    const md = await runCli(['compare', beforePath, afterPath, '--format', 'md', '--target', 'p95(ttft)<250ms', '--target', 'error_rate<1%']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/\| ttft \(p50\) \|.*\*\*worse\*\*/);
    expect(md.stdout).toMatch(/\| p95\(ttft\) \|.*MISS \(`p95\(ttft\)<250ms`\)/);
    expect(md.stdout).toMatch(/\| error_rate \|.*PASS \(`error_rate<1%`\)/);
    expect(md.stdout).toContain('Target status: 1/2 passing');

    const failing = await runCli(['compare', beforePath, afterPath, '--fail-on', 'worse']);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toContain('BENCHMARK COMPARISON');
    expect(failing.stderr).toMatch(/ttft \(p50\) got worse/);
  }, 30_000);
});

describe('compare of a run with itself', () => {
  it('reads targets in the metric units and runs on identical results without claiming a change', async () => {
    const a = slower.before;
    const c = compareRuns(a, a, { targets: parseConditions('mean(ttft)<=1s') });
    const rows = c.points[0]!.rows;
    expect(rows.filter((r) => r.verdict).every((r) => r.verdict === 'no real change')).toBe(true);
    expect(row(rows, 'mean(ttft)').target).toEqual({ text: 'mean(ttft)<=1s', before: true, after: true });
  });
});

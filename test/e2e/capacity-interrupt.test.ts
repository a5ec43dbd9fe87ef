import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/writer.js';
import { startCli, waitForOutput } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/** Ctrl+C in `capacity`: what it writes and prints does not depend on where the knee is. */
let server: ServerThread;
beforeAll(async () => {
  server = await startServerThread({ seed: 9, ttftMs: 5, ttftPerInFlightMs: 20, itlMs: 1, outputTokens: 2 });
});
afterAll(() => server.close());

describe('capacity search, interrupted', () => {
  it('Ctrl+C mid-search prints the probes so far, writes them as a valid partial results file and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferbench-capacity-'));
    const { child, done } = startCli(['capacity', '--url', `${server.url}/v1/chat/completions`, '--max-tokens', '2', '--slo', 'p50(ttft)<55ms', '--max', '16', '--output-dir', dir]);
    await waitForOutput(child, 'concurrency=2: ');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/concurrency\s+requests\s+ok\s+failed/);
    expect(r.stdout).toContain('interrupted: ');
    const results = await readResults(join(dir, readdirSync(dir)[0]!));
    expect(results.interrupted).toBe(true);
    expect(results.points.length).toBeGreaterThanOrEqual(2);
    for (const p of results.points) expect(p.measure.counts.ok + p.measure.counts.failed).toBe(p.measure.counts.sent);
  });
});

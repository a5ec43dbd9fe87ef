import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

let server: Awaited<ReturnType<typeof serve>>;
let dir: string;
beforeAll(async () => {
  server = await serve({ ttftMs: '20ms', itlMs: '1ms', outputTokens: 4, seed: 3 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-thresholds-'));
});
afterAll(async () => {
  await server?.close();
});

const runArgs = () => ['run', '--url', `${server.url}/v1/chat/completions`, '--model', 'm', '--max-tokens', '4', '-n', '12', '-c', '4', '--output-dir', dir, '--tokenizer', 'none', '--quiet'];

describe('thresholds through the real CLI', () => {
  it('exits 0 when every threshold holds', async () => {
    const r = await runCli([...runArgs(), '--threshold', 'p95(latency)<10s', '--threshold', 'error_rate<1%']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('exits 3 and names the threshold that failed, with what was measured', async () => {
    const r = await runCli([...runArgs(), '--threshold', 'p50(ttft)<1ms', '--threshold', 'error_rate<1%']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/threshold failed: p50\(ttft\)<1ms: p50\(ttft\) was \d+(\.\d+)? ms \(limit < 1\.00\d? ms\)/);
    expect(r.stderr).not.toContain('error_rate<1%');
  });

  it('rejects a malformed expression as a config error (exit 2) before sending anything', async () => {
    server.groundTruth.clear();
    const r = await runCli([...runArgs(), '--threshold', 'p95(latency)<<500ms', '--summary', 'html']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p95(latency)<<500ms');
    expect(r.stderr).toContain('--summary');
    expect(server.groundTruth.all()).toHaveLength(0);
  });

  it('prints a markdown summary with --summary md, thresholds included', async () => {
    const r = await runCli([...runArgs().filter((a) => a !== '--quiet'), '--summary', 'md', '--threshold', 'p95(latency)<10s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('### inferbench:');
    expect(r.stdout).toMatch(/\| ttft \| ms \| 12 \|/);
    expect(r.stdout).toContain(':white_check_mark: p95(latency)<10s');
  });
});

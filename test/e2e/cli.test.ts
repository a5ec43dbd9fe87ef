import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { runCli, startCli } from '../helpers/cli.js';

let server: ServerThread;
beforeAll(async () => {
  server = await startServerThread({ seed: 4, ttftMs: '5ms', itlMs: '2ms', outputTokens: 10 });
});
afterAll(() => server.close());

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'inferbench-cli-'));
}

async function readAll(dir: string): Promise<string> {
  const files = await readdir(dir);
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

describe('inferbench run (CLI)', () => {
  it('prints the results JSON on stdout with --json and the summary on stderr', async () => {
    const dir = await tempDir();
    const r = await runCli(['run', '--url', `${server.url}/v1/chat/completions`, '--max-tokens', '8', '-c', '2', '-n', '6', '--output-dir', dir, '--json']);
    expect(r.code).toBe(ExitCode.ok);
    const results = JSON.parse(r.stdout);
    expect(results.points[0].measure.counts.ok).toBe(6);
    expect(results.scenario.target.protocol).toBe('openai');
    expect(r.stderr).toContain('ttft');
    expect(r.stderr).toMatch(/results: .*inferbench_\d{8}_\d{6}\.json/);
  });

  it('never writes or prints a secret passed through ${ENV}', async () => {
    const dir = await tempDir();
    const secret = 'sk-test-5f1c2a9e77b04c3d';
    const r = await runCli(
      ['run', '--url', `${server.url}/v1/chat/completions`, '-H', 'Authorization: Bearer ${INFERBENCH_TEST_KEY}', '--max-tokens', '4', '-n', '3', '--output-dir', dir, '--tokenizer', 'none', '--json'],
      { env: { INFERBENCH_TEST_KEY: secret } },
    );
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const written = await readAll(dir);
    expect(written.length).toBeGreaterThan(100);
    expect(written).not.toContain(secret);
    expect(written).toContain('[redacted]');
  });

  it('reports every scenario mistake at once and exits with the bad-config code', async () => {
    const r = await runCli(['run', '--url', 'notaurl', '--protocol', 'openai', '--concurrency', '0', '--arrival', 'sometimes']);
    expect(r.code).toBe(ExitCode.badConfig);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toHaveLength(3);
    expect(r.stderr).toContain('target.url');
    expect(r.stderr).toContain('load.concurrency');
    expect(r.stderr).toContain('load.arrival');
  });

  it('names the URL and cause when the target is unreachable', async () => {
    const r = await runCli(['run', '--url', 'http://127.0.0.1:9/v1/chat/completions', '-n', '1', '--no-write']);
    expect(r.code).toBe(ExitCode.runError);
    expect(r.stderr).toContain('Cannot reach http://127.0.0.1:9/v1/chat/completions');
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('stops on Ctrl+C, writes what was measured, and exits 130', async () => {
    const dir = await tempDir();
    const { child, done } = startCli(['run', '--url', `${server.url}/v1/chat/completions`, '-c', '4', '--duration', '60s', '--output-dir', dir, '--name', 'interrupted', '--tokenizer', 'none']);
    // The progress line only prints on a TTY; wait for the server to have answered instead.
    await waitUntilServed(8);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(ExitCode.interrupted);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const results = JSON.parse(await readFile(join(dir, files[0]!), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(results.points[0].measure.counts.ok).toBeGreaterThanOrEqual(8);
    expect(r.stdout).toContain('Run stopped early');
  });
});

/** Resolves once the reference server has completed `n` more requests (polling its ground truth, not sleeping blindly). */
async function waitUntilServed(n: number): Promise<void> {
  await server.clearGroundTruth();
  for (;;) {
    const done = (await server.groundTruth()).filter((g) => g.endMs !== null).length;
    if (done >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('inferbench with no arguments', () => {
  it('benchmarks the built-in reference server and says how to point it elsewhere', async () => {
    const dir = await tempDir();
    const r = await runCli(['-n', '8'], { cwd: dir });
    expect(r.code).toBe(ExitCode.ok);
    expect(r.stdout).toContain('benchmarking the built-in reference server');
    expect(r.stdout).toContain('inferbench run --url');
    for (const metric of ['ttft', 'itl', 'tpot', 'latency']) expect(r.stdout).toMatch(new RegExp(`^${metric}\\s`, 'm'));
    expect(r.stdout).toMatch(/throughput: [\d.]+ req\/s, [\d.]+ output tok\/s/);
    // The results JSON and, beside it, the HTML report, whose path is printed.
    const files = (await readdir(join(dir, 'benchmarks/results'))).sort();
    expect(files).toHaveLength(2);
    expect(files[0]!.replace(/\.html$/, '.json')).toBe(files[1]);
    expect(r.stdout).toContain(`report: benchmarks/results/${files[0]}`);
  });
});

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { applyRunFlags } from '../../src/cli/run-flags.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let healthy: ReferenceServer;
let broken: ReferenceServer;
let flaky: ReferenceServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inferbench-exit-'));
  // Option names as `inferbench serve`'s flags: --ttft, --itl, --tokens, --error-rate.
  healthy = await serve({ ttft: '2ms', itl: '1ms', tokens: 4, seed: 3 });
  broken = await serve({ ttft: '2ms', itl: '1ms', tokens: 4, errorRate: '100%', errorStatus: 503 });
  flaky = await serve({ ttft: '2ms', itl: '1ms', tokens: 4, errorRate: 0.5, seed: 4 });
});
afterAll(async () => {
  await Promise.all([healthy.close(), broken.close(), flaky.close()]);
});

const chat = (server: ReferenceServer, ...more: string[]) => ['run', '--url', `${server.url}/v1/chat/completions`, '--model', 'm', '--max-tokens', '4', '-c', '2', '-n', '20', '--output-dir', dir, '--tokenizer', 'none', ...more];

describe('exit codes that fail CI when nothing worked', () => {
  it('exits 1 when no request succeeded, naming the most common error, and still writes the results', async () => {
    const r = await runCli(chat(broken));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no request succeeded: 20 sent, none ok; most common error \(20×\): .*503/);
    const path = /results: (.+\.json)/.exec(r.stdout)![1]!;
    const results = JSON.parse(await readFile(path, 'utf8'));
    expect(results.points[0].measure.counts).toMatchObject({ sent: 20, ok: 0, failed: 20 });
  });

  it('exits 0 with failures when no --max-error-rate is set (the default is off)', async () => {
    const r = await runCli(chat(flaky, '--no-write'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\d+ failed/);
  });

  it('exits 3 when the failed share is above --max-error-rate', async () => {
    const over = await runCli(chat(flaky, '--no-write', '--max-error-rate', '5%'));
    expect(over.code, over.stderr).toBe(3);
    expect(over.stdout).toMatch(/FAIL +error_rate<=0\.05/);
  });

  it('reads --max-error-rate as a share or a percentage, and rejects anything else before sending', () => {
    expect(applyRunFlags({}, { maxErrorRate: '5%' }).thresholds).toEqual(['error_rate<=0.05']);
    expect(applyRunFlags({ thresholds: ['p95(ttft)<1s'] }, { maxErrorRate: '0.2' }).thresholds).toEqual(['p95(ttft)<1s', 'error_rate<=0.2']);
    for (const bad of ['lots', '150%', '-0.1', '']) {
      expect(() => applyRunFlags({}, { maxErrorRate: bad }), bad).toThrow('--max-error-rate: expected a share of requests from 0 to 1 or a percentage');
    }
  });
});

describe('report and compare read standard input', () => {
  it('pipes run --json into report - and into compare', async () => {
    const json = await runCli(chat(healthy, '--json', '--quiet', '--no-write'));
    expect(json.code, json.stderr).toBe(0);
    const results = JSON.parse(json.stdout);
    expect(results.points[0].measure.counts.ok).toBe(20);

    const md = await runCli(['report', '-', '--format', 'md'], { stdin: json.stdout });
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('| ttft |');

    // HTML from standard input has no file to sit next to: it goes to stdout.
    const html = await runCli(['report', '-'], { stdin: json.stdout });
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout.startsWith('<!doctype html>')).toBe(true);

    const saved = join(dir, 'before.json');
    await writeFile(saved, json.stdout);
    const compared = await runCli(['compare', saved, '-'], { stdin: json.stdout });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toContain('no real change');
  });

  it('says what is wrong with piped input that is not results', async () => {
    const r = await runCli(['report', '-', '--format', 'md'], { stdin: 'not json' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('results file (standard input) is not valid JSON');
    const twice = await runCli(['compare', '-', '-']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('standard input (-) can be read once');
  });
});

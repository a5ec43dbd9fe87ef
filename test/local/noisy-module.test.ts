import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const noisy = join(REPO_ROOT, 'test/local/fixtures/noisy-model.mjs');

describe('a module that prints to stdout and whose teardown() throws', () => {
  it('overhead --json stays one JSON document on stdout, --out writes it, and the measured calls are kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-noisy-'));
    const out = join(dir, 'overhead.json');
    const r = await runCli(['overhead', '--module', noisy, '--input', '{"tokens":4}', '--rounds', '4', '--warmup', '1', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { modes: { name: string; calls: number }[]; warnings: string[] };
    expect(report.modes.map((m) => [m.name, m.calls])).toEqual([
      ['generate', 4],
      ['stream', 4],
    ]);
    expect(report.warnings[0]).toContain('teardown() failed: GPU context already released');
    expect(r.stderr).toContain('noisy-model: generating');
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(report);
  });

  it('run keeps the measured results and names the failed teardown', async () => {
    const { results } = await run({ target: { protocol: 'local', module: noisy, mode: 'generate', input: { tokens: 3 } }, load: { requests: 5 }, output: { write: false } });
    expect(results.points[0]!.measure.counts.ok).toBe(5);
    expect(results.warnings.join('\n')).toContain('closing the target failed (GPU context already released)');
  });
});

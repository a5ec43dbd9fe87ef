import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Results } from '../../src/model/results.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * A second real engine: onnxruntime-node (CPU) running the tiny recurrent model that
 * examples/onnxruntime/make-model.mjs writes in the ONNX protobuf format, one session.run per
 * token. Structure only: every mode decodes the asked number of tokens, and a streamed run
 * records one content event per token; no speed is asserted.
 */
const EXAMPLE = join(REPO_ROOT, 'examples/onnxruntime');
const installed = existsSync(join(EXAMPLE, 'node_modules/onnxruntime-node/package.json'));
if (!installed && process.env.CI) throw new Error('examples/onnxruntime has no node_modules: .ci/run must run `npm ci` there');

describe.skipIf(!installed)('examples/onnxruntime: onnxruntime-node on a model our script writes', () => {
  it('inferbench overhead compares generate, a callback stream and an async iterator over real session.run calls', async () => {
    const r = await runCli(['overhead', '--module', './model.mjs', '--input', '{"tokens":32}', '--rounds', '6', '--warmup', '1', '--json'], { cwd: EXAMPLE });
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const report = JSON.parse(r.stdout) as { modes: { name: string; calls: number; tokens?: number; tokensPerSecond?: number }[] };
    expect(report.modes.map((m) => m.name)).toEqual(['generate', 'stream', 'streamAsync']);
    for (const m of report.modes) expect([m.calls, m.tokens]).toEqual([6, 32]);
  });

  it('inferbench run --module streams one content event per token', async () => {
    const r = await runCli(['run', '--module', './model.mjs', '--mode', 'streamAsync', '--request', '{"tokens":24}', '-n', '5', '--no-write', '--json', '-q'], { cwd: EXAMPLE });
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const m = (JSON.parse(r.stdout) as Results).points[0]!.measure;
    expect(m.counts.ok).toBe(5);
    expect(m.metrics.itl!.summary.count).toBe(5 * 23);
    expect(m.metrics.ttft!.summary.count).toBe(5);
  });
});

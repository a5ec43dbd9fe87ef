import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importLocalModule } from '../../src/protocols/local/load-module.js';
import { measureOverhead, overheadArms } from '../../src/run/overhead.js';
import { parseConditions } from '../../src/conditions/condition.js';
import { checkArmConditions } from '../../src/conditions/overhead.js';
import { formatOverheadReport } from '../../src/report/overhead-table.js';
import { runCli } from '../helpers/cli.js';

const tokenModel = fileURLToPath(new URL('./fixtures/token-model.ts', import.meta.url));

describe('inferbench overhead', () => {
  it('a stream() that adds a known 1 ms per token: the added time per token is within its interval; the A/A control interval contains zero', async () => {
    const mod = await importLocalModule(tokenModel);
    const { blockedMs } = mod as unknown as { blockedMs: Record<string, number[]> };
    const report = await measureOverhead({ module: mod, input: { tokens: 16, perTokenMs: 0.25, streamExtraMs: 1 }, rounds: 30, warmup: 2, aa: true, seed: 3, confidence: 0.99 });
    const [base, aa, stream, asyncStream] = report.modes;
    expect(base!.name).toBe('generate');
    expect(aa!.name).toBe('generate (A/A)');
    // A/A: identical modes, so the interval of their difference contains zero. A 95 % interval
    // misses a true zero once in 20 runs by construction; at 99 % a failure here means a bias.
    expect(aa!.overhead!.lowPercent).toBeLessThanOrEqual(0);
    expect(aa!.overhead!.highPercent).toBeGreaterThanOrEqual(0);
    // stream(): 1 ms per token injected. Truth = what the module really blocked more per token (the
    // OS overshoots a longer wait by a few µs) plus the harness's own token callback (measured);
    // 2 µs per token allowed for the call into the callback, which no clock inside it sees.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const injectedPerToken = (median(blockedMs.stream!) - median(blockedMs.generate!)) / 16;
    expect(injectedPerToken).toBeGreaterThan(0.99);
    const truth = injectedPerToken + stream!.callbackMs / stream!.tokens!;
    expect(stream!.overhead!.perTokenLowMs! - 0.002).toBeLessThanOrEqual(truth);
    expect(stream!.overhead!.perTokenHighMs! + 0.002).toBeGreaterThanOrEqual(truth);
    expect(stream!.overhead!.significant).toBe(true);
    expect(stream!.tokens).toBe(16);
    expect(asyncStream!.overhead).toBeDefined();
    const text = formatOverheadReport(report);
    expect(text).toMatch(/generate\(\) \(baseline\):\s+16 tokens in/);
    expect(text).toMatch(/stream\(\) \(sync callback\):\s+16 tokens in .*overhead, 99% CI/);
    const [ok, failed] = checkArmConditions(overheadArms(report), parseConditions('overhead(streamAsync)<1000% and overhead(stream) < 5%', 'arm'));
    expect(ok!.passed).toBe(true);
    expect(failed!.status).toBe('fail');
  });

  it('CLI: a failed threshold exits 3 and says why; a malformed one exits 2', async () => {
    const failed = await runCli(['overhead', '--module', tokenModel, '--input', '{"tokens":8,"streamExtraMs":1}', '--rounds', '6', '--warmup', '1', '--threshold', 'overhead(stream)<5%']);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toContain('stream() (sync callback):');
    expect(failed.stderr).toMatch(/overhead\(stream\)<5%: FAILED \(measured \+\d+\.\d+%, 95% CI \+\d+\.\d+%\.\.\+\d+\.\d+%: the whole interval misses < 5\.00%\)/);
    const bad = await runCli(['overhead', '--module', tokenModel, '--threshold', 'stream<5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold[0]: "stream<5": unknown metric "stream" at column 1');
  });
});

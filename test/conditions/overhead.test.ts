import { describe, expect, it } from 'vitest';
import { parseConditions } from '../../src/conditions/condition.js';
import { armProblems, checkArmConditions } from '../../src/conditions/overhead.js';
import type { ArmMeasurements } from '../../src/conditions/evaluate.js';
import { overheadVerdict } from '../../src/cli/overhead.js';
import { ExitCode } from '../../src/cli/exit-codes.js';

/** Arms whose overhead intervals are known: the verdict depends only on where each interval lies. */
const arm = (name: string, low: number, high: number): ArmMeasurements => ({
  name,
  latencySamplesMs: [10, 11, 12],
  overhead: { ratio: (low + high) / 2, low, high, confidence: 0.95 },
  heapPeakBytes: 1e6,
  rssPeakBytes: 5e7,
});
const base: ArmMeasurements = { name: 'generate', latencySamplesMs: [10, 10, 11], heapPeakBytes: 1e6, rssPeakBytes: 5e7 };
const arms = [base, arm('generate (A/A)', -0.01, 0.012), arm('stream', 0.01, 0.03), arm('streamAsync', 0.03, 0.07)];

describe('overhead thresholds are judged on the whole interval', () => {
  it('pass when the whole interval meets the bound, fail when it misses it, inconclusive when it straddles it', () => {
    const [stream, asyncStraddles, asyncMisses, aa] = checkArmConditions(arms, parseConditions('overhead(stream)<5% and overhead(streamAsync)<5% and overhead(streamAsync)<2% and overhead(aa)<=0%', 'arm'));
    expect(stream).toMatchObject({ arm: 'stream', status: 'pass', passed: true });
    expect(stream!.message).toBe('overhead(stream)<5%: passed (measured +2.00%, 95% CI +1.00%..+3.00%: the whole interval is < 5.00%)');
    expect(asyncStraddles).toMatchObject({ arm: 'streamAsync', status: 'inconclusive', passed: false });
    expect(asyncStraddles!.message).toBe('overhead(streamAsync)<5%: inconclusive (measured +5.00%, 95% CI +3.00%..+7.00% straddles the bound < 5.00%; more --rounds narrow the interval)');
    expect(asyncMisses).toMatchObject({ status: 'fail' });
    expect(asyncMisses!.message).toMatch(/^overhead\(streamAsync\)<2%: FAILED \(measured \+5\.00%, 95% CI \+3\.00%\.\.\+7\.00%: the whole interval misses < 2\.00%\)$/);
    expect(aa).toMatchObject({ arm: 'generate (A/A)', status: 'inconclusive' });
  });

  it('a bare overhead means every compared mode; latency means every mode, the baseline too', () => {
    const every = checkArmConditions(arms, parseConditions('overhead<10%', 'arm'));
    expect(every.map((o) => [o.arm, o.status])).toEqual([['generate (A/A)', 'pass'], ['stream', 'pass'], ['streamAsync', 'pass']]);
    expect(every[1]!.message).toMatch(/^overhead<10% \[stream\]: passed/);
    const latency = checkArmConditions(arms, parseConditions('p95(latency)<11.5ms', 'arm'));
    expect(latency.map((o) => [o.arm, o.status])).toEqual([['generate', 'pass'], ['generate (A/A)', 'fail'], ['stream', 'fail'], ['streamAsync', 'fail']]);
    expect(checkArmConditions(arms, parseConditions('rss_peak_bytes<100MB', 'arm')).every((o) => o.passed)).toBe(true);
  });

  it('names a mode that is not compared, with a hint, before the first call', () => {
    const names = arms.map((a) => a.name);
    expect(armProblems(parseConditions('overhead(strem)<5%', 'arm'), names, 'generate')).toEqual([
      'overhead(strem)<5%: no mode "strem" is compared; did you mean "stream"? (compared: aa, stream, streamAsync)',
    ]);
    expect(armProblems(parseConditions('overhead(generate)<5%', 'arm'), names, 'generate')[0]).toMatch(/generate is the baseline, so it has no overhead/);
  });

  it('exit code: a failure exits 3; inconclusive exits 0 with a note, or 3 with --strict', () => {
    expect(overheadVerdict([{ status: 'pass' }], false)).toEqual({ code: ExitCode.ok, note: undefined });
    expect(overheadVerdict([{ status: 'pass' }, { status: 'fail' }], false).code).toBe(ExitCode.thresholdFailed);
    const lenient = overheadVerdict([{ status: 'pass' }, { status: 'inconclusive' }], false);
    expect(lenient.code).toBe(ExitCode.ok);
    expect(lenient.note).toMatch(/^note: 1 threshold was inconclusive .*not counted as failed \(use --strict to fail on them\)$/);
    const strict = overheadVerdict([{ status: 'inconclusive' }], true);
    expect(strict.code).toBe(ExitCode.thresholdFailed);
    expect(strict.note).toMatch(/counted as failed \(--strict\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/report/compare.js';
import { recordedResults } from '../results/results-fixture.js';

/**
 * compare's false-alarm rate. Two runs with the same settings are two independent draws from the
 * same timings; a 95% interval of the change of the median must contain zero for about 19 pairs in
 * 20. The runs are built in-process by a real Recorder from seeded timelines (each seed its own
 * draws), so the verdicts depend on compare alone: a pair of network runs on a busy machine does
 * differ (the machine slowed one of them), and compare would be right to say so. compare on real
 * runs is tested end to end in compare.test.ts.
 */
describe('compare on two runs with the same settings', () => {
  it('says "no real change" for two runs with the same settings in at least 19 of 20 seeded repeats', () => {
    const verdicts: string[] = [];
    for (let seed = 100; seed < 120; seed++) {
      const before = recordedResults(seed, 64);
      const after = recordedResults(seed + 1000, 64);
      const rows = compareRuns(before, after, { seed }).points[0]!.rows;
      verdicts.push(rows.find((r) => r.label === 'ttft (p50)')!.verdict!);
      // The draws differ, so the comparison had something to judge.
      expect(rows.find((r) => r.label === 'ttft (p50)')!.before).not.toBe(rows.find((r) => r.label === 'ttft (p50)')!.after);
    }
    expect(verdicts.filter((v) => v === 'no real change').length, verdicts.join(', ')).toBeGreaterThanOrEqual(19);
  });
});

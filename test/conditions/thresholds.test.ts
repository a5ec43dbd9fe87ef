import { describe, expect, it } from 'vitest';
import { parseConditions } from '../../src/conditions/condition.js';
import { checkThresholds } from '../../src/conditions/thresholds.js';
import { recordedResults } from '../results/results-fixture.js';

describe('thresholds on a recorded run', () => {
  it('checks each against the run, saying what was measured and against what', () => {
    const results = recordedResults();
    const m = results.points[0]!.measure;
    const p95 = m.metrics.latency!.summary.p95;
    const conditions = [`p95(latency)<=${p95}ms`, `p95(latency)<${p95}ms`, 'mean(rtf)<1', 'error_rate<100%', `p999(latency)<10s`, 'count(latency)>=1'].flatMap((t) => parseConditions(t));
    const [holds, fails, missing, rate, p999, count] = checkThresholds(results, conditions);
    expect(holds!.passed).toBe(true);
    expect(fails!.passed).toBe(false);
    expect(fails!.actual).toBe(p95);
    expect(fails!.message).toBe(`p95(latency)<${p95}ms: p95(latency) was ${fails!.message.match(/was (\S+ ms)/)![1]} (limit < ${fails!.message.match(/limit < (\S+ ms)/)![1]})`);
    expect(missing!.status).toBe('not measured');
    expect(missing!.message).toContain('mean(rtf) was not measured');
    // error_rate is failed / sent, as everywhere.
    expect(rate!.actual).toBe(m.counts.failed / m.counts.sent);
    expect(p999!.actual).toBe(m.metrics.latency!.summary.p999);
    expect(p999!.passed).toBe(true);
    expect(count!.actual).toBe(m.metrics.latency!.summary.count);
  });
});

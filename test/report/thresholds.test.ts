import { describe, expect, it } from 'vitest';
import { checkThresholds, parseThreshold, parseThresholds } from '../../src/conditions/thresholds.js';
import { ConfigError } from '../../src/model/config-error.js';
import { recordedResults } from '../results/results-fixture.js';

describe('threshold expressions', () => {
  it('reads percentiles, means, rates and units into the metric unit', () => {
    expect(parseThreshold('p95(latency)<500ms')).toMatchObject({ metric: 'latency', aggregation: { kind: 'percentile', p: 95 }, op: '<', value: 500, unit: 'ms' });
    expect(parseThreshold('mean(ttft) <= 0.3s')).toMatchObject({ metric: 'ttft', aggregation: { kind: 'mean' }, op: '<=', value: 300 });
    expect(parseThreshold('p999(itl)<40ms')).toMatchObject({ aggregation: { kind: 'percentile', p: 99.9 } });
    expect(parseThreshold('p99.9(itl)<40ms')).toMatchObject({ aggregation: { kind: 'percentile', p: 99.9 } });
    expect(parseThreshold('error_rate<1%')).toMatchObject({ metric: 'error_rate', aggregation: undefined, value: 0.01 });
    expect(parseThreshold('rtf<0.5')).toMatchObject({ metric: 'rtf', aggregation: { kind: 'mean' }, value: 0.5, unit: 'ratio' });
    expect(parseThreshold('throughput>10')).toMatchObject({ metric: 'throughput', op: '>', value: 10 });
    expect(parseThreshold('output_token_throughput>=100tok/s')).toMatchObject({ value: 100 });
  });

  it('reports every malformed expression at once, naming each', () => {
    let error: unknown;
    try {
      parseThresholds(['p95(latency)<500ms', 'p95(latency)<<5', 'q95(ttft)<3ms', 'error_rate<5ms', 'p95(error_rate)<1%']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.path)).toEqual(['thresholds[1]', 'thresholds[2]', 'thresholds[3]', 'thresholds[4]']);
    expect(problems[0]!.message).toContain('p95(latency)<<5');
    expect(problems[1]!.message).toContain('unknown aggregation "q95"');
    expect(problems[2]!.message).toContain('unit "ms"');
    expect(problems[3]!.message).toContain('one number per run');
  });

  it('checks thresholds against a recorded run, saying what was measured', () => {
    const results = recordedResults();
    const m = results.points[0]!.measure;
    const p95 = m.metrics.latency!.summary.p95;
    const [holds, fails, missing, rate] = checkThresholds(results, parseThresholds([`p95(latency)<=${p95}ms`, `p95(latency)<${p95}ms`, 'mean(rtf)<1', 'error_rate<100%']));
    expect(holds!.passed).toBe(true);
    expect(fails!.passed).toBe(false);
    expect(fails!.actual).toBe(p95);
    expect(fails!.message).toContain(`p95(latency) was`);
    expect(missing!.passed).toBe(false);
    expect(missing!.message).toContain('rtf was not measured');
    expect(rate!.actual).toBe(m.counts.failed / m.counts.sent);
  });
});

import { describe, expect, it } from 'vitest';
import { convertToMetricUnit, formatValue, parseDurationMs } from '../../src/model/units.js';
import { parseDurationFlag } from '../../src/server/distributions.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';

describe('the one unit table', () => {
  it('durations read the same everywhere; a bare number is seconds in a scenario, refused in a server timing flag', () => {
    for (const [text, ms] of [['250us', 0.25], ['200ms', 200], ['1.5s', 1500], ['2min', 120_000], ['2m', 120_000], ['1h', 3_600_000]] as const) {
      expect(parseDurationMs(text, 'seconds'), text).toBe(ms);
      expect(parseDurationFlag(text, '--ttft'), text).toBe(ms);
    }
    expect(parseDurationMs('30', 'seconds')).toBe(30_000);
    expect(parseDurationMs(30, 'seconds')).toBe(30_000);
    expect(parseDurationMs('30', 'reject')).toBeUndefined();
    expect(parseDurationMs('0', 'reject')).toBe(0);
    expect(parseDurationMs('5GB', 'seconds')).toBeUndefined();
    const { scenario } = resolveScenario({ target: { protocol: 'http', url: 'http://127.0.0.1:1/' }, load: { duration: 30, think_time: '2min' }, phases: { cooldown: '1.5s' } });
    expect(scenario.load.duration).toBe(30_000);
    expect(scenario.load.think_time).toEqual({ minMs: 120_000, maxMs: 120_000 }); // a fixed pause is a range of one value
    expect(scenario.phases.cooldown).toBe(1500);
  });

  it('converts a written value into a metric unit, or says which units fit', () => {
    expect(convertToMetricUnit(2, 'min', 'ms')).toEqual({ value: 120_000 });
    expect(convertToMetricUnit(1500, 'ms', 's')).toEqual({ value: 1.5 });
    expect(convertToMetricUnit(16, 'gb', 'bytes')).toEqual({ value: 16e9 });
    expect(convertToMetricUnit(1, '%', 'ratio')).toEqual({ value: 0.01 });
    expect(convertToMetricUnit(20, 'fps', 'frames/s')).toEqual({ value: 20 });
    expect(convertToMetricUnit(20, '/s', 'tokens/s')).toEqual({ value: 20 });
    expect(convertToMetricUnit(500, '', 'ms')).toEqual({ problem: 'give a unit (us, ms, s, min, h): a bare number is ambiguous for a time' });
    expect(convertToMetricUnit(5, 'ms', 'ratio')).toEqual({ problem: 'unit "ms" (a time) does not fit a ratio; use a plain number or %' });
    expect(convertToMetricUnit(5, 'tok/s', 'requests/s')).toMatchObject({ problem: expect.stringContaining('use a plain number or req/s, /s') });
  });

  it('prints a value in its unit, or in the unit a user wrote', () => {
    expect(formatValue(431.2, 'ms')).toBe('431.2 ms');
    expect(formatValue(14000 * 2 ** 20, 'bytes')).toBe('14.68 GB');
    expect(formatValue(14000 * 2 ** 20, 'bytes', 'GiB')).toBe('13.67 GiB');
    expect(formatValue(0.023, 'ratio', '%')).toBe('2.30%');
    expect(formatValue(0.48, 'ratio')).toBe('0.480');
    expect(formatValue(55.59, 'tokens/s')).toBe('55.59 tokens/s');
    expect(formatValue(13.9, 'requests/s')).toBe('13.90 req/s');
    expect(formatValue(120_000, 'ms', 'min')).toBe('2.00 min');
  });
});

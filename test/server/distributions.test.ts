import { describe, expect, it } from 'vitest';
import {
  OptionFormatError,
  formatDistribution,
  parseDistribution,
  parseDurationFlag,
  sampleCount,
  sampleDurationMs,
} from '../../src/server/distributions.js';
import { mulberry32 } from '../../src/server/seeded-random.js';

describe('duration and count distributions', () => {
  it('parses durations with units', () => {
    expect(parseDurationFlag('200ms', '--ttft')).toBe(200);
    expect(parseDurationFlag('1.5s', '--ttft')).toBe(1500);
    expect(parseDurationFlag('250us', '--ttft')).toBe(0.25);
    expect(parseDurationFlag('0', '--ttft')).toBe(0);
  });

  it('refuses a bare number of milliseconds, naming the flag and the accepted form', () => {
    expect(() => parseDurationFlag('200', '--ttft')).toThrow(/--ttft: "200" is not a duration.*200ms/);
    expect(() => parseDurationFlag('fast', '--itl')).toThrow(OptionFormatError);
  });

  it('parses fixed, lognormal and uniform forms', () => {
    expect(parseDistribution('200ms', 'ms', '--ttft')).toEqual({ kind: 'fixed', value: 200 });
    expect(parseDistribution('lognormal:200ms:0.25', 'ms', '--ttft')).toEqual({ kind: 'lognormal', median: 200, sigma: 0.25 });
    expect(parseDistribution('uniform:10ms:30ms', 'ms', '--itl')).toEqual({ kind: 'uniform', min: 10, max: 30 });
    expect(parseDistribution('64', 'tokens', '--tokens')).toEqual({ kind: 'fixed', value: 64 });
    expect(parseDistribution('lognormal:64:0.5', 'tokens', '--tokens')).toEqual({ kind: 'lognormal', median: 64, sigma: 0.5 });
  });

  it('explains every malformed form', () => {
    expect(() => parseDistribution('normal:1ms:2', 'ms', '--ttft')).toThrow(/--ttft: "normal:1ms:2" is not a distribution; use 200ms, 1.5s, lognormal/);
    expect(() => parseDistribution('uniform:30ms:10ms', 'ms', '--itl')).toThrow(/--itl: uniform min must not exceed max/);
    expect(() => parseDistribution('lognormal:200ms:-1', 'ms', '--ttft')).toThrow(/sigma/);
    expect(() => parseDistribution('0', 'tokens', '--tokens')).toThrow(/--tokens: token counts must be >= 1/);
    expect(() => parseDistribution('lots', 'tokens', '--tokens')).toThrow(/--tokens: "lots" is not a number of tokens; use 64/);
  });

  it('round-trips through its CLI form', () => {
    for (const text of ['200ms', 'lognormal:200ms:0.25', 'uniform:10ms:30ms']) {
      expect(formatDistribution(parseDistribution(text, 'ms', 'x'), 'ms')).toBe(text);
    }
    expect(formatDistribution(parseDistribution('lognormal:64:0.5', 'tokens', 'x'), 'tokens')).toBe('lognormal:64:0.5');
  });

  it('draws lognormal samples around the median and uniform samples inside their range', () => {
    const random = mulberry32(7);
    const lognormal = Array.from({ length: 20_000 }, () => sampleDurationMs({ kind: 'lognormal', median: 200, sigma: 0.25 }, random));
    lognormal.sort((a, b) => a - b);
    expect(lognormal[10_000]).toBeGreaterThan(195);
    expect(lognormal[10_000]).toBeLessThan(205);
    // ln(p84 / median) ≈ sigma for a lognormal.
    expect(Math.log(lognormal[Math.floor(20_000 * 0.8413)]! / 200)).toBeCloseTo(0.25, 1);
    const uniform = Array.from({ length: 5_000 }, () => sampleDurationMs({ kind: 'uniform', min: 10, max: 30 }, random));
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...uniform)).toBeLessThan(30);
    const counts = Array.from({ length: 1_000 }, () => sampleCount({ kind: 'lognormal', median: 2, sigma: 2 }, random));
    expect(counts.every((count) => Number.isInteger(count) && count >= 1)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { MetricHistogram } from '../../src/stats/histogram.js';

/** Deterministic pseudo-random latencies (ms, heavy tail) without Math.random. */
function latencies(n: number, seed: number): number[] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const u = (x + 0.5) / 2 ** 32;
    out.push(5 + -Math.log(u) * 40 + (i % 97 === 0 ? 3000 : 0));
  }
  return out;
}

describe('MetricHistogram', () => {
  it('records exactly what the library records, value by value (its fast index path and the fallback)', () => {
    for (const digits of [1, 2, 3] as const) {
      const ours = new MetricHistogram(1, digits);
      const lib = hdr.build({ numberOfSignificantValueDigits: digits, autoResize: true });
      let x = 99;
      const values = [0, 1, 2, 3, 1023, 1024, 2047, 2048, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, 2 ** 40 + 3];
      for (let i = 0; i < 20000; i++) {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        values.push(Math.floor((x / 2 ** 32) * 2 ** (i % 36)));
      }
      for (const v of values) {
        ours.record(v);
        lib.recordValue(v);
        expect(ours.count).toBe(lib.totalCount);
      }
      expect(ours.encode()).toBe(hdr.encodeIntoCompressedBase64(lib));
      expect(ours.summary().max).toBe(lib.getValueAtPercentile(100));
    }
  });

  it('summarises in the metric unit at 3 significant digits', () => {
    const h = new MetricHistogram(1000);
    for (const v of [1.5, 2.5, 100.25]) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(3);
    expect(s.min).toBe(1.5);
    expect(s.p50).toBeCloseTo(2.5, 2);
    expect(s.max).toBeGreaterThanOrEqual(100.25);
    expect(s.max).toBeLessThan(100.25 * 1.001);
    expect(s.mean).toBeCloseTo((1.5 + 2.5 + 100.25) / 3, 1);
  });

  it('gives an all-zero summary when empty', () => {
    expect(new MetricHistogram(1).summary()).toEqual({ count: 0, mean: 0, std: 0, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 });
  });

  it('merges two recorders’ encoded histograms into exactly what one recorder records', () => {
    const a = latencies(5000, 1);
    const b = latencies(7000, 2);
    const one = new MetricHistogram(1000);
    const left = new MetricHistogram(1000);
    const right = new MetricHistogram(1000);
    for (const v of a) (one.record(v), left.record(v));
    for (const v of b) (one.record(v), right.record(v));

    const merged = MetricHistogram.decode(left.encode(), 1000);
    merged.add(MetricHistogram.decode(right.encode(), 1000));

    expect(merged.summary()).toEqual(one.summary());
    for (let p = 0; p <= 100; p += 0.5) expect(merged.percentile(p)).toBe(one.percentile(p));
    expect(merged.percentile(99.99)).toBe(one.percentile(99.99));
    expect(merged.count).toBe(12000);
    // Encoding the merged result round-trips too.
    expect(MetricHistogram.decode(merged.encode(), 1000).summary()).toEqual(one.summary());
  });

  it('refuses to add histograms of different scales', () => {
    expect(() => new MetricHistogram(1000).add(new MetricHistogram(1))).toThrow(/scale/);
  });
});

import { describe, expect, it } from 'vitest';
import { bootstrapMedianDifference, bootstrapMedianRatio, erfc, mannWhitneyU, median, seededRandom } from '../../src/stats/bootstrap.js';

function normalSample(n: number, mean: number, sd: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, 7, 1, 7])).toBe(7);
  });
});

describe('bootstrapMedianDifference', () => {
  it('is deterministic for a seed', () => {
    const a = normalSample(200, 100, 10, 1);
    const b = normalSample(200, 103, 10, 2);
    expect(bootstrapMedianDifference(a, b, { seed: 42 })).toEqual(bootstrapMedianDifference(a, b, { seed: 42 }));
    expect(bootstrapMedianDifference(a, b, { seed: 42 }).low).not.toBe(bootstrapMedianDifference(a, b, { seed: 43 }).low);
  });

  it('finds a real shift and excludes zero', () => {
    const d = bootstrapMedianDifference(normalSample(500, 100, 10, 1), normalSample(500, 110, 10, 2));
    expect(d.changed).toBe(true);
    expect(d.low).toBeGreaterThan(5);
    expect(d.high).toBeLessThan(15);
    expect(d.difference).toBeGreaterThan(d.low);
    expect(d.difference).toBeLessThan(d.high);
  });

  it('includes zero when both samples come from one distribution', () => {
    const d = bootstrapMedianDifference(normalSample(500, 100, 10, 3), normalSample(500, 100, 10, 4));
    expect(d.changed).toBe(false);
    expect(d.low).toBeLessThan(0);
    expect(d.high).toBeGreaterThan(0);
  });

  it('gives a zero-width interval for constant samples', () => {
    expect(bootstrapMedianDifference([2, 2, 2], [5, 5], { iterations: 50 })).toMatchObject({ difference: 3, low: 3, high: 3, changed: true });
  });
});

describe('bootstrapMedianRatio', () => {
  it('an interval of median(b)/median(a) − 1 per resample: never below −100% where the difference over the point median would be', () => {
    // A spread baseline (median 10) against a much faster arm: resampled baseline medians reach 60.
    const a = [1, 2, 10, 50, 60];
    const b = [0.1, 0.2, 0.3, 0.2, 0.1];
    const r = bootstrapMedianRatio(a, b, { seed: 3 });
    expect(r.ratio).toBeCloseTo(0.2 / 10 - 1, 12);
    expect(r.low).toBeGreaterThanOrEqual(-1);
    expect(r.high).toBeLessThan(0);
    // The old way (interval of the difference ÷ the baseline's point median) claimed less than −100%.
    const d = bootstrapMedianDifference(a, b, { seed: 3 });
    expect(d.low / median(a)).toBeLessThan(-1);
  });

  it('is deterministic for a seed and contains the true ratio of two known distributions', () => {
    const a = normalSample(400, 100, 5, 7);
    const b = normalSample(400, 110, 5, 8);
    const r = bootstrapMedianRatio(a, b, { seed: 1 });
    expect(bootstrapMedianRatio(a, b, { seed: 1 })).toEqual(r);
    expect(r.low).toBeLessThan(0.1);
    expect(r.high).toBeGreaterThan(0.1);
    expect(r.high - r.low).toBeLessThan(0.05);
  });
});

describe('mannWhitneyU', () => {
  // Expected values from scipy.stats.mannwhitneyu(a, b, method='asymptotic').
  it('matches scipy for fully separated samples', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(0.012185780355344813, 6);
  });

  it('matches scipy with ties (tie correction)', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5, 6, 6]);
    expect(r.u).toBe(8.5);
    expect(r.pValue).toBeCloseTo(0.025144761173357368, 6);
  });

  it('gives p = 1 when every value ties', () => {
    expect(mannWhitneyU([3, 3], [3, 3, 3]).pValue).toBe(1);
  });

  it('computes erfc accurately enough for p-values', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 7);
  });
});

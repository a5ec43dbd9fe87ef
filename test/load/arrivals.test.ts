import { describe, expect, it } from 'vitest';
import { arrivalSchedule, constantArrivals } from '../../src/load/arrivals.js';

function gaps(kind: 'poisson' | 'gamma' | 'constant', rate: number, n: number, seed = 1, burstiness = 1): number[] {
  const next = arrivalSchedule(kind, rate, seed, burstiness);
  const times = Array.from({ length: n }, next);
  return times.slice(1).map((t, i) => t - times[i]!);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) / m;
};

describe('arrival schedules', () => {
  it('places constant arrivals at exact multiples of the period (no accumulated drift)', () => {
    const next = constantArrivals(1000 / 3);
    const times = Array.from({ length: 3001 }, next);
    expect(times[3000]).toBe(1_000_000);
  });

  it('gives Poisson gaps with the target mean and a coefficient of variation near 1', () => {
    const g = gaps('poisson', 200, 50_000);
    expect(mean(g)).toBeCloseTo(5, 1);
    expect(cv(g)).toBeGreaterThan(0.97);
    expect(cv(g)).toBeLessThan(1.03);
  });

  it('makes gamma arrivals burstier below 1 and more regular above, at the same mean', () => {
    const bursty = gaps('gamma', 100, 50_000, 2, 0.25);
    const regular = gaps('gamma', 100, 50_000, 2, 4);
    expect(mean(bursty)).toBeCloseTo(10, 0);
    expect(mean(regular)).toBeCloseTo(10, 0);
    expect(cv(bursty)).toBeCloseTo(2, 0); // CV = 1/sqrt(shape)
    expect(cv(regular)).toBeCloseTo(0.5, 1);
  });

  it('is reproducible from its seed', () => {
    expect(gaps('poisson', 50, 100, 7)).toEqual(gaps('poisson', 50, 100, 7));
    expect(gaps('poisson', 50, 100, 7)).not.toEqual(gaps('poisson', 50, 100, 8));
  });
});

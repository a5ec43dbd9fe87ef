import { exponential, gamma, seededRng } from '../random.js';

export type ArrivalKind = 'constant' | 'poisson' | 'gamma';

/**
 * Intended start times of an open-loop phase, in ms from the phase start, one call per arrival.
 * Times are absolute offsets (k6's rule): arrival i of a constant schedule is exactly i × period,
 * and random schedules add seeded gaps to the previous offset; the driver sleeps until each
 * offset on the monotonic clock, so lateness never accumulates.
 */
export type ArrivalSchedule = () => number;

export function arrivalSchedule(kind: ArrivalKind, ratePerSecond: number, seed: number, burstiness = 1): ArrivalSchedule {
  const meanGapMs = 1000 / ratePerSecond;
  if (kind === 'constant') return constantArrivals(meanGapMs);
  if (kind === 'poisson') return poissonArrivals(meanGapMs, seed);
  return gammaArrivals(meanGapMs, burstiness, seed);
}

export function constantArrivals(periodMs: number): ArrivalSchedule {
  let i = 0;
  return () => i++ * periodMs;
}

/** Exponential gaps: the arrival process of independent users. The first arrival is at 0. */
export function poissonArrivals(meanGapMs: number, seed: number): ArrivalSchedule {
  const rng = seededRng(seed);
  let t = -1;
  return () => (t = t < 0 ? 0 : t + exponential(rng, meanGapMs));
}

/** Gamma gaps with shape = burstiness and the same mean (vLLM's --burstiness): 1 is Poisson, < 1 burstier. */
export function gammaArrivals(meanGapMs: number, burstiness: number, seed: number): ArrivalSchedule {
  const rng = seededRng(seed);
  const scale = meanGapMs / burstiness;
  let t = -1;
  return () => (t = t < 0 ? 0 : t + gamma(rng, burstiness, scale));
}

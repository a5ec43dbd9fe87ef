import { seededRng as seededRandom } from '../random.js';

/**
 * Is a change between two runs real? The difference of
 * medians with a seeded bootstrap confidence interval, and a Mann-Whitney U p-value.
 * "Changed" only when the interval excludes zero. Used by `compare` and `overhead`.
 */

/** The project's seeded PRNG (mulberry32): the same seed gives the same interval on every machine. */
export { seededRng as seededRandom } from '../random.js';

/** Median of the first `n` values of `xs` (reorders them); the mean of the two middle values for even n. */
function medianInPlace(xs: Float64Array, n = xs.length): number {
  const k = n >> 1;
  const hi = select(xs, n, k);
  if (n % 2 === 1) return hi;
  // After selecting k, every value below index k is ≤ xs[k]; the lower middle is their maximum.
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (xs[i]! > lo) lo = xs[i]!;
  return (lo + hi) / 2;
}

/** Quickselect (Hoare partition): the k-th smallest of xs[0..n), in O(n) expected, without sorting. */
function select(xs: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (left < right) {
    const pivot = xs[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const tmp = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return xs[k]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return medianInPlace(Float64Array.from(values));
}

export interface MedianDifference {
  /** median(b) − median(a): positive when b is slower (for latencies). */
  difference: number;
  /** Percentile bootstrap interval of the difference. */
  low: number;
  high: number;
  confidence: number;
  iterations: number;
  /** True when the interval excludes zero. */
  changed: boolean;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  iterations?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** PRNG seed (default 1); results are deterministic for a given seed. */
  seed?: number;
}

/**
 * The percentile bootstrap both intervals share: each group resampled with replacement,
 * `statistic(median(a*), median(b*))` per resample, and the interval's ends at the confidence.
 */
function bootstrapMedians(
  name: string,
  a: readonly number[],
  b: readonly number[],
  opts: BootstrapOptions,
  statistic: (medianA: number, medianB: number) => number,
): { low: number; high: number; confidence: number; iterations: number } {
  const iterations = opts.iterations ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  if (a.length === 0 || b.length === 0) throw new Error(`${name} needs at least one value in each group`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1, got ${confidence}`);
  const random = seededRandom(opts.seed ?? 1);
  const sa = Float64Array.from(a);
  const sb = Float64Array.from(b);
  const bufA = new Float64Array(sa.length);
  const bufB = new Float64Array(sb.length);
  const values = new Float64Array(iterations);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < sa.length; i++) bufA[i] = sa[Math.floor(random() * sa.length)]!;
    for (let i = 0; i < sb.length; i++) bufB[i] = sb[Math.floor(random() * sb.length)]!;
    values[it] = statistic(medianInPlace(bufA), medianInPlace(bufB));
  }
  values.sort();
  const alpha = (1 - confidence) / 2;
  return { low: quantileSorted(values, alpha), high: quantileSorted(values, 1 - alpha), confidence, iterations };
}

/** Bootstrap confidence interval of median(b) − median(a), resampling each group with replacement. */
export function bootstrapMedianDifference(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): MedianDifference {
  const { low, high, confidence, iterations } = bootstrapMedians('bootstrapMedianDifference', a, b, opts, (ma, mb) => mb - ma);
  return { difference: median(b) - median(a), low, high, confidence, iterations, changed: low > 0 || high < 0 };
}

export interface MedianRatio {
  /** median(b) / median(a) − 1: +0.05 when b's median is 5% above a's. */
  ratio: number;
  /** Percentile bootstrap interval of the ratio, from median(b*) / median(a*) − 1 per resample. */
  low: number;
  high: number;
  confidence: number;
  iterations: number;
}

/**
 * Bootstrap confidence interval of median(b) / median(a) − 1, resampling each group with
 * replacement and taking the ratio per resample. Dividing an interval of the difference by the
 * point median of `a` instead ignores a's own spread, and for non-negative values (times) it can
 * fall below −100%; a ratio of medians of non-negative values never does.
 */
export function bootstrapMedianRatio(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): MedianRatio {
  // A zero baseline median has no ratio; such a resample says "no bound" either way.
  const interval = bootstrapMedians('bootstrapMedianRatio', a, b, opts, (ma, mb) => (ma > 0 ? mb / ma - 1 : mb > 0 ? Infinity : 0));
  const ma = median(a);
  return { ratio: ma > 0 ? median(b) / ma - 1 : NaN, ...interval };
}

/** Linear-interpolated quantile of sorted values. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length && frac > 0 ? sorted[i]! + frac * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

export interface MannWhitneyResult {
  /** U statistic of group a (number of pairs where a > b, ties counting ½). */
  u: number;
  /** Standard normal score, with continuity and tie correction. */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  pValue: number;
}

/**
 * Mann-Whitney U test, two-sided, normal approximation with tie correction and a 0.5
 * continuity correction (scipy's `mannwhitneyu(method='asymptotic')`). Good for the
 * sample sizes benchmarks have (tens and up); for a handful of values the exact test differs.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyU needs at least one value in each group');
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2; // average of 1-based ranks i+1..j+1
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 0) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1) || 1));
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { u, z: u >= mean ? z : -z, pValue: Math.min(1, erfc(z / Math.SQRT2)) };
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** The value at rank ceil(q·n): what an HDR histogram's percentile(q) approximates. */
export function nearestRank(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

/**
 * The median of per-request measurement errors, `ours[i] − truth[i]`, for arrays paired by
 * request (or by gap). This is what "within N ms of ground truth" means: the typical error of
 * one measurement. A difference of two medians also mixes in which requests happen to sit in
 * the middle of each distribution: with 32 lognormal TTFTs whose per-request errors were all
 * 0.4–5 ms (median 0.8 ms), it swung between 0.8 and 2.0 ms from run to run.
 */
export function medianError(ours: number[], truth: number[]): number {
  if (ours.length !== truth.length) throw new Error(`paired samples differ in length: ${ours.length} vs ${truth.length}`);
  return median(ours.map((o, i) => o - truth[i]!));
}

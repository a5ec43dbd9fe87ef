import { seededRandom } from './bootstrap.js';
import type { MetricHistogram } from './histogram.js';

export interface SampleOptions {
  /** At most this many values come back; larger histograms are subsampled (default 4000). */
  maxSamples?: number;
  /** Seed for the subsample's positions; the same histogram and seed give the same values. */
  seed?: number;
}

/**
 * Turns an HDR histogram back into values (each bucket's value repeated by its count) so the
 * bootstrap and Mann-Whitney tests can run on a results file. Values carry HDR's resolution:
 * 3 significant digits (a 1234.5 ms latency comes back as 1235 ms).
 *
 * A histogram of a long run may hold millions of values; the bootstrap resamples its input
 * thousands of times, so big histograms are cut to `maxSamples` by jittered systematic
 * sampling (one seeded position in each of `maxSamples` equal slices of the sorted values).
 * That keeps the distribution's shape, and the interval it gives is the one of a sample of
 * that size: wider than the full run's, never narrower.
 */
export function samplesFromHistogram(histogram: MetricHistogram, opts: SampleOptions = {}): number[] {
  const maxSamples = opts.maxSamples ?? 4000;
  const buckets = histogram.buckets();
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const out: number[] = [];
  if (total <= maxSamples) {
    for (const b of buckets) for (let i = 0; i < b.count; i++) out.push(b.value);
    return out;
  }
  const random = seededRandom(opts.seed ?? 1);
  const slice = total / maxSamples;
  let bucket = 0;
  let below = 0; // values in buckets before `bucket`
  for (let i = 0; i < maxSamples; i++) {
    const position = Math.min(total - 1, Math.floor((i + random()) * slice));
    while (position >= below + buckets[bucket]!.count) below += buckets[bucket++]!.count;
    out.push(buckets[bucket]!.value);
  }
  return out;
}

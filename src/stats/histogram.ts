import * as hdr from 'hdr-histogram-js';
import type { Summary } from '../model/results.js';

/**
 * An HDR histogram of one metric, in the metric's own unit.
 *
 * Values are recorded as integers `round(value × scale)` (ms → µs with scale 1000), at
 * 3 significant digits, so histograms from worker threads and machines add up exactly.
 * This uses hdr-histogram-js's plain JS histogram, not its WASM one: WASM needs an async
 * init in every worker thread and manual `destroy()`; {@link MetricHistogram.record} computes
 * the bucket index itself, which makes a record a few ns.
 */
/** The part of hdr-histogram-js's JS iterator that {@link MetricHistogram.buckets} uses (not in its public typings). */
interface RecordedValues {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

/** The parts of hdr-histogram-js's JS histogram that {@link MetricHistogram.record} uses (not in its public typings). */
interface JsHistogramInternals {
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  subBucketHalfCount: number;
  countsArrayLength: number;
  incrementCountAtIndex(index: number): void;
  updateMinAndMax(value: number): void;
  incrementTotalCount(): void;
}

export class MetricHistogram {
  readonly scale: number;
  private readonly h: hdr.Histogram;

  constructor(scale: number, significantDigits: 1 | 2 | 3 = 3, from?: hdr.Histogram) {
    this.scale = scale;
    this.h = from ?? hdr.build({ numberOfSignificantValueDigits: significantDigits, autoResize: true });
    // Decoded histograms come back fixed-size; a merge target must grow to fit what it adds.
    this.h.autoResize = true;
  }

  /**
   * Records one value (negative values clamp to 0; non-finite ones are ignored).
   *
   * The bucket index is computed here with `Math.clz32` and shifts for values below 2^31 (in
   * µs: 35 minutes), then counted through the library's own index, min/max and total-count
   * steps; anything else goes through `recordValue`. Measured reason: the library derives the
   * index with `Math.log2`, `Math.pow` and `floor` on every value, which was 23% of the
   * client's CPU in bench:sse (two records per content event, ITL and ITL per token). The
   * index is the library's own formula (test/stats/histogram.test.ts checks it value by value).
   */
  record(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = value > 0 ? Math.round(value * this.scale) : 0;
    const j = this.js;
    if (v < 0x80000000 && j.unitMagnitude === 0) {
      const magnitude = j.subBucketHalfCountMagnitude;
      const bucket = Math.max(31 - Math.clz32(v) - magnitude, 0);
      const index = ((bucket + 1) << magnitude) + (v >>> bucket) - j.subBucketHalfCount;
      if (index < j.countsArrayLength) {
        j.incrementCountAtIndex(index);
        j.updateMinAndMax(v);
        j.incrementTotalCount();
        return;
      }
    }
    this.h.recordValue(v);
  }

  private get js(): JsHistogramInternals {
    return this.h as unknown as JsHistogramInternals;
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Base64 of the compressed HDR encoding (`encodeIntoCompressedBase64`). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  static decode(base64: string, scale: number): MetricHistogram {
    return new MetricHistogram(scale, 3, hdr.decodeFromCompressedBase64(base64));
  }

  /** Exact merge: afterwards this holds every value either histogram held. */
  add(other: MetricHistogram): void {
    if (other.scale !== this.scale) throw new Error(`cannot add a histogram of scale ${other.scale} to one of scale ${this.scale}`);
    this.h.add(other.h);
  }

  /** Value (in the metric's unit) at a percentile 0..100. */
  percentile(p: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / this.scale;
  }

  /**
   * Every non-empty bucket as (value in the metric's unit, count), lowest first. The value is
   * the bucket's highest equivalent value, the same one percentiles report, so it carries HDR's
   * 3 significant digits of resolution. Reports draw histograms and compare expands samples from these.
   */
  buckets(): { value: number; count: number }[] {
    const out: { value: number; count: number }[] = [];
    if (this.h.totalCount === 0) return out;
    const it = (this.h as unknown as { recordedValuesIterator: RecordedValues }).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      out.push({ value: v.valueIteratedTo / this.scale, count: v.countAtValueIteratedTo });
    }
    return out;
  }

  /**
   * Summary in the metric's unit. min and max are bucket bounds (lowest / highest
   * equivalent value), not the raw extremes, so a summary depends only on the
   * histogram's counts and a merged histogram summarises exactly like one recorder.
   */
  summary(): Summary {
    const h = this.h;
    const n = h.totalCount;
    if (n === 0) return { count: 0, mean: 0, std: 0, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
    const s = this.scale;
    const js = h as unknown as { getCountAtValue(v: number): number; lowestEquivalentValue(v: number): number };
    const min = js.getCountAtValue(0) > 0 ? 0 : js.lowestEquivalentValue(h.minNonZeroValue);
    return {
      count: n,
      mean: h.mean / s,
      std: h.stdDeviation / s,
      min: min / s,
      max: h.getValueAtPercentile(100) / s,
      p50: h.getValueAtPercentile(50) / s,
      p90: h.getValueAtPercentile(90) / s,
      p95: h.getValueAtPercentile(95) / s,
      p99: h.getValueAtPercentile(99) / s,
      p999: h.getValueAtPercentile(99.9) / s,
    };
  }
}

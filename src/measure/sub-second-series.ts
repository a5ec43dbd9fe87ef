import type { SubSecondSeries } from '../model/results.js';

/** Bucket width of the series short phases get (per-second series leave a one-second run a single point). */
export const SUB_SECOND_BUCKET_MS = 100;
/** Phases up to this long carry the sub-second series (at most 50 buckets); longer ones read well per second. */
export const SUB_SECOND_MAX_PHASE_MS = 5_000;
const BUCKETS = SUB_SECOND_MAX_PHASE_MS / SUB_SECOND_BUCKET_MS;
/** Latencies kept for the per-bucket percentiles; a short phase with more requests keeps counts only. */
const MAX_LATENCIES = 50_000;

/** Nearest-rank quantile (the value HDR histograms report at a percentile) of sorted values. */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * 100 ms buckets over a phase's first 5 seconds: sent, ok, errors, output tokens (text, placed
 * by the request's end), and the
 * exact p50/p99 latency of the requests that ended in each bucket. Memory is bounded (100
 * buckets, at most 50,000 latencies).
 */
export class SubSecondRecorder {
  private readonly sent = new Array<number>(BUCKETS).fill(0);
  private readonly ok = new Array<number>(BUCKETS).fill(0);
  private readonly errors = new Array<number>(BUCKETS).fill(0);
  private readonly outputTokens = new Array<number>(BUCKETS).fill(0);
  private latencies: number[][] | undefined = Array.from({ length: BUCKETS }, () => []);
  private kept = 0;
  private used = 0;

  private bucketOf(offsetMs: number): number | undefined {
    const b = Math.floor(offsetMs / SUB_SECOND_BUCKET_MS);
    return b >= 0 && b < BUCKETS ? b : undefined;
  }

  noteSent(offsetMs: number): void {
    const b = this.bucketOf(offsetMs);
    if (b === undefined) return;
    this.sent[b]!++;
    this.used = Math.max(this.used, b + 1);
  }

  noteEnded(offsetMs: number, ok: boolean, outputTokens: number, latencyMs: number | undefined): void {
    const b = this.bucketOf(offsetMs);
    if (b === undefined) return;
    this.used = Math.max(this.used, b + 1);
    if (!ok) {
      this.errors[b]!++;
      return;
    }
    this.ok[b]!++;
    this.outputTokens[b]! += outputTokens;
    if (this.latencies && latencyMs !== undefined) {
      if (this.kept >= MAX_LATENCIES) this.latencies = undefined;
      else {
        this.latencies[b]!.push(latencyMs);
        this.kept++;
      }
    }
  }

  /** The series, or undefined for phases too long to need it; output tokens only for text targets. */
  toResult(durationMs: number, text: boolean): SubSecondSeries | undefined {
    if (durationMs > SUB_SECOND_MAX_PHASE_MS || this.used === 0) return undefined;
    const n = this.used;
    const out: SubSecondSeries = {
      bucketMs: SUB_SECOND_BUCKET_MS,
      sent: this.sent.slice(0, n),
      ok: this.ok.slice(0, n),
      errors: this.errors.slice(0, n),
    };
    if (text) out.outputTokens = this.outputTokens.slice(0, n);
    if (this.latencies) {
      const sorted = this.latencies.slice(0, n).map((xs) => [...xs].sort((a, b) => a - b));
      out.latencyP50 = sorted.map((xs) => (xs.length ? quantileOfSorted(xs, 0.5) : null));
      out.latencyP99 = sorted.map((xs) => (xs.length ? quantileOfSorted(xs, 0.99) : null));
    }
    return out;
  }

  /** Parts of one phase add bucket by bucket (aligned by their starts); per-bucket percentiles do not merge and are left out. */
  static merge(parts: { subSecond?: SubSecondSeries; startedAtEpochMs: number }[], originEpochMs: number): SubSecondSeries | undefined {
    const present = parts.filter((p) => p.subSecond);
    if (!present.length || present.length !== parts.length) return undefined;
    const length = Math.max(...present.map((p) => Math.round((p.startedAtEpochMs - originEpochMs) / SUB_SECOND_BUCKET_MS) + p.subSecond!.sent.length));
    const sum = (key: 'sent' | 'ok' | 'errors' | 'outputTokens') => {
      const out = new Array<number>(length).fill(0);
      for (const p of present) {
        const shift = Math.round((p.startedAtEpochMs - originEpochMs) / SUB_SECOND_BUCKET_MS);
        p.subSecond![key]?.forEach((v, i) => (out[i + shift]! += v));
      }
      return out;
    };
    const merged: SubSecondSeries = { bucketMs: SUB_SECOND_BUCKET_MS, sent: sum('sent'), ok: sum('ok'), errors: sum('errors') };
    if (present.every((p) => p.subSecond!.outputTokens)) merged.outputTokens = sum('outputTokens');
    if (present.length === 1 && present[0]!.subSecond!.latencyP50) {
      merged.latencyP50 = present[0]!.subSecond!.latencyP50;
      merged.latencyP99 = present[0]!.subSecond!.latencyP99;
    }
    return merged;
  }
}

import type { DerivedMetrics } from './metrics.js';
import type { AudioThroughput } from '../model/results.js';

/** Speech totals of one phase: exact sums, so phases recorded apart merge exactly. */
export class AudioTotals {
  private requests = 0;
  private seconds = 0;
  private stalled = 0;

  record(d: DerivedMetrics): void {
    const seconds = d.extra.audio_seconds;
    if (!d.ok || seconds === undefined) return;
    this.requests++;
    this.seconds += seconds;
    if ((d.extra.stall_count ?? 0) > 0) this.stalled++;
  }

  merge(a: AudioThroughput | undefined): void {
    if (!a) return;
    this.requests += a.requests;
    this.seconds += a.totalSeconds;
    this.stalled += a.stalledRequests;
  }

  /** Undefined when the phase carried no audio. */
  toResult(durationMs: number): AudioThroughput | undefined {
    if (this.requests === 0) return undefined;
    return {
      requests: this.requests,
      totalSeconds: this.seconds,
      audioSecondsPerSecond: durationMs > 0 ? (this.seconds * 1000) / durationMs : 0,
      stalledRequests: this.stalled,
    };
  }
}

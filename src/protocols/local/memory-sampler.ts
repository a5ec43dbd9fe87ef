/**
 * Peak heap and RSS while a call runs. Samples at start, on a timer, and at stop; a call that
 * blocks the event loop (a synchronous generate) is seen at its start and end only, so peaks of
 * purely synchronous work are lower bounds. The same sampling runs for every mode, so modes
 * compare fairly.
 */
export class MemorySampler {
  heapPeakBytes = 0;
  rssPeakBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 5): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.heapPeakBytes) this.heapPeakBytes = m.heapUsed;
    if (m.rss > this.rssPeakBytes) this.rssPeakBytes = m.rss;
  }

  stop(): this {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this;
  }
}

/** Runs a full collection when node was started with --expose-gc; a no-op otherwise. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

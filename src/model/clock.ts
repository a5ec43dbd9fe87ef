/**
 * One monotonic clock for every mark inferbench takes, so any two marks can be
 * subtracted. Values are milliseconds with sub-millisecond fractions.
 */
export const nowMs = (): number => performance.now();

/** Converts a monotonic mark to epoch milliseconds (for records and result metadata). */
export const epochMsOf = (monotonicMs: number): number => performance.timeOrigin + monotonicMs;

/** Resolves after `ms`, or at once when the signal aborts. Used for pacing, never for waiting on events. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Waits until the monotonic clock reads `targetMs` (absolute), never accumulating sleep drift. */
export function sleepUntil(targetMs: number, signal?: AbortSignal): Promise<void> {
  return sleepMs(targetMs - nowMs(), signal);
}

import { nowMs, sleepMs } from '../model/clock.js';
import type { ArrivalSchedule } from './arrivals.js';
import { closedLoopIndices, ownsArrival, usersOf, WHOLE_LOAD, type LoadShare } from './share.js';
import { peakOf, userWindows, type StageSpan } from './stages.js';

/** Starts request `index` and resolves when it has ended. Must never reject. */
export type SendFn = (index: number, scheduledMs?: number) => Promise<void>;

export interface PhaseBounds {
  /** Stop after this many requests have been started. */
  requests?: number;
  /** Stop starting requests this long after the phase start. */
  durationMs?: number;
  /** Stops the phase early (Ctrl+C, stop conditions); in-flight requests are aborted by the protocol. */
  signal: AbortSignal;
  /** The slice of the load this thread runs (worker threads, segments); the whole load by default. */
  share?: LoadShare;
}

export interface DriveResult {
  started: number;
  dropped: number;
}

/**
 * Closed loop: `workers` loops, each sending its next request when its previous one ended
 * (plus think time). Iterations are the same with one worker.
 */
export async function closedLoop(
  bounds: PhaseBounds & { workers: number; originMs: number; thinkTimeMs?: (index: number) => number },
  send: SendFn,
): Promise<DriveResult> {
  const share = bounds.share ?? WHOLE_LOAD;
  const indices = closedLoopIndices(share, bounds.workers, bounds.requests);
  let started = 0;
  const deadline = bounds.durationMs === undefined ? Infinity : bounds.originMs + bounds.durationMs;
  const claim = (): number | undefined => {
    if (bounds.signal.aborted || nowMs() >= deadline) return undefined;
    const next = indices.next();
    if (next.done) return undefined;
    started++;
    return next.value;
  };
  const worker = async () => {
    for (let index = claim(); index !== undefined; index = claim()) {
      await send(index);
      const thinkMs = bounds.thinkTimeMs?.(index) ?? 0;
      if (thinkMs > 0) await sleepMs(Math.min(thinkMs, deadline - nowMs()), bounds.signal);
    }
  };
  const users = usersOf(share, bounds.workers);
  const count = bounds.requests === undefined ? users : Math.min(users, bounds.requests);
  await Promise.all(Array.from({ length: count }, worker));
  return { started, dropped: 0 };
}

/**
 * Open loop: request i starts at its intended time whatever the server does, so a slow
 * server cannot slow the arrivals (no coordinated omission). With `maxInFlight`, an
 * arrival that finds that many requests in flight is dropped and reported.
 */
export async function openLoop(
  bounds: PhaseBounds & { schedule: ArrivalSchedule; maxInFlight?: number; originMs: number; onDropped?: (index: number, scheduledMs: number) => void },
  send: SendFn,
): Promise<DriveResult> {
  const inFlight = new Set<Promise<void>>();
  const share = bounds.share ?? WHOLE_LOAD;
  let started = 0;
  let dropped = 0;
  for (let index = 0; ; index++) {
    if (bounds.requests !== undefined && index >= bounds.requests) break;
    // Every share draws the whole schedule (same seed, same order) and keeps its own arrivals.
    const offsetMs = bounds.schedule();
    if (bounds.durationMs !== undefined && offsetMs >= bounds.durationMs) break;
    if (!ownsArrival(share, index)) continue;
    const scheduledMs = bounds.originMs + offsetMs;
    await waitUntil(scheduledMs, bounds.signal);
    if (bounds.signal.aborted) break;
    if (bounds.maxInFlight !== undefined && inFlight.size >= bounds.maxInFlight) {
      dropped++;
      bounds.onDropped?.(index, scheduledMs);
      continue;
    }
    started++;
    const p = send(index, scheduledMs).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return { started, dropped };
}

/**
 * Sleeps with a timer until about 1.5 ms before the target, then yields with setImmediate
 * until the clock reaches it: timers alone wake up to a few ms late, which would count as
 * late sends; setImmediate keeps serving I/O while it waits.
 */
async function waitUntil(targetMs: number, signal: AbortSignal): Promise<void> {
  let remaining = targetMs - nowMs();
  if (remaining > 2) await sleepMs(remaining - 1.5, signal);
  while (!signal.aborted && (remaining = targetMs - nowMs()) > 0) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * A closed loop whose users follow a staged profile (k6 ramping-vus, locust --spawn-rate): user
 * u runs while the profile has more than u users, sending one request after another, and stops
 * after its request in flight when the profile falls below. User u's j-th request is index
 * j × peak + u, so indices are unique across users, threads and segments.
 */
export async function rampedClosedLoop(
  bounds: { signal: AbortSignal; originMs: number; spans: readonly StageSpan[]; share?: LoadShare; thinkTimeMs?: (index: number) => number },
  send: SendFn,
): Promise<DriveResult> {
  const share = bounds.share ?? WHOLE_LOAD;
  const peak = Math.ceil(peakOf(bounds.spans));
  let started = 0;
  const user = async (u: number) => {
    let j = 0;
    for (const w of userWindows(bounds.spans, u)) {
      await sleepMs(bounds.originMs + w.startMs - nowMs(), bounds.signal);
      const stopAt = bounds.originMs + w.endMs;
      while (!bounds.signal.aborted && nowMs() < stopAt) {
        const index = j++ * peak + u;
        started++;
        await send(index);
        const thinkMs = bounds.thinkTimeMs?.(index) ?? 0;
        if (thinkMs > 0) await sleepMs(Math.min(thinkMs, stopAt - nowMs()), bounds.signal);
      }
    }
  };
  const users: Promise<void>[] = [];
  for (let u = share.index; u < peak; u += share.count) users.push(user(u));
  await Promise.all(users);
  return { started, dropped: 0 };
}

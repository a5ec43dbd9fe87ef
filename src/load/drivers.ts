import { nowMs, sleepMs } from '../model/clock.js';
import { addSendPump, removeSendPump } from '../model/send-pump.js';
import { pacer } from './pacer.js';
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
 *
 * Sends leave from a pump that runs whatever is due: woken at the next arrival's time by
 * the thread's pacer (load/pacer.ts: sub-millisecond, no spinning), and run by the plain-HTTP
 * transport at the start of every socket read (model/send-pump.ts), so handling a burst of
 * answers delays a due send by at most one read. Until the pacer thread is up (the first
 * phase's first milliseconds), waits poll with setImmediate as before.
 */
export async function openLoop(
  bounds: PhaseBounds & { schedule: ArrivalSchedule; maxInFlight?: number; originMs: number; onDropped?: (index: number, scheduledMs: number) => void },
  send: SendFn,
): Promise<DriveResult> {
  const share = bounds.share ?? WHOLE_LOAD;
  const { signal, maxInFlight } = bounds;
  let started = 0;
  let dropped = 0;
  let inFlight = 0;
  let index = -1;
  let nextMs = NaN;
  /** Draws this share's next arrival into (index, nextMs); false when the schedule is over. */
  const advance = (): boolean => {
    for (;;) {
      index++;
      if (bounds.requests !== undefined && index >= bounds.requests) return false;
      // Every share draws the whole schedule (same seed, same order) and keeps its own arrivals.
      const offsetMs = bounds.schedule();
      if (bounds.durationMs !== undefined && offsetMs >= bounds.durationMs) return false;
      if (!ownsArrival(share, index)) continue;
      nextMs = bounds.originMs + offsetMs;
      return true;
    }
  };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let scheduleOver = !advance();
  const onDone = () => {
    inFlight--;
    if (scheduleOver && inFlight === 0) finish();
  };
  const pace = pacer();
  const pump = () => {
    if (scheduleOver) return;
    if (signal.aborted) return end();
    const now = nowMs();
    while (nextMs <= now) {
      if (maxInFlight !== undefined && inFlight >= maxInFlight) {
        dropped++;
        bounds.onDropped?.(index, nextMs);
      } else {
        started++;
        inFlight++;
        void send(index, nextMs).then(onDone);
      }
      if (!advance()) return end();
    }
    if (pace.online) pace.wakeAt(nextMs);
    else if (!polling) poll();
  };
  // Before the pacer thread runs: check on every turn of the event loop.
  let polling = false;
  const poll = () => {
    polling = true;
    setImmediate(() => {
      polling = false;
      pump();
    });
  };
  const end = () => {
    if (scheduleOver) return;
    scheduleOver = true;
    removeSendPump(pump);
    signal.removeEventListener('abort', end);
    pace.release();
    if (inFlight === 0) finish();
  };
  if (scheduleOver) finish();
  else {
    pace.hold();
    addSendPump(pump);
    signal.addEventListener('abort', end, { once: true });
    pump();
  }
  await finished;
  return { started, dropped };
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

/**
 * Ramped loads (k6's stages): over each stage, users (closed loop, ramping-vus) or the arrival
 * rate (open loop, ramping-arrival-rate) move in a straight line from where the previous stage
 * ended (0 before the first) to the stage's value. Pure functions of the stages, so every thread
 * and every segment computes the same profile.
 */
import type { ArrivalSchedule } from './arrivals.js';

export interface StageSpan {
  label: string;
  startMs: number;
  durationMs: number;
  from: number;
  to: number;
}

/** The stages as spans on one time axis; `value` is users or requests per second. */
export function stageSpans(stages: readonly { duration: number; concurrency?: number; rate?: number; label?: string }[], open: boolean): StageSpan[] {
  let at = 0;
  let previous = 0;
  return stages.map((s, i) => {
    const to = (open ? s.rate : s.concurrency) ?? previous;
    const span = { label: s.label ?? `stage ${i + 1}`, startMs: at, durationMs: s.duration, from: previous, to };
    at += s.duration;
    previous = to;
    return span;
  });
}

export function totalMs(spans: readonly StageSpan[]): number {
  const last = spans[spans.length - 1];
  return last ? last.startMs + last.durationMs : 0;
}

/** The stage a moment (ms from the phase start) falls in; moments past the end belong to the last. */
export function stageAt(spans: readonly StageSpan[], atMs: number): number {
  for (let i = spans.length - 1; i >= 0; i--) if (atMs >= spans[i]!.startMs) return i;
  return 0;
}

/** The most users (or the highest rate) any stage reaches. */
export function peakOf(spans: readonly StageSpan[]): number {
  return Math.max(0, ...spans.map((s) => Math.max(s.from, s.to)));
}

/**
 * When closed-loop user u is active: the intervals (ms from the phase start) in which the
 * profile's users exceed u. User u starts when the line reaches u + 1 and stops (after its
 * request in flight) when it falls below u + 1, as k6 adds and retires VUs.
 */
export function userWindows(spans: readonly StageSpan[], user: number): { startMs: number; endMs: number }[] {
  const level = user + 1;
  const windows: { startMs: number; endMs: number }[] = [];
  let openAt: number | undefined;
  for (const s of spans) {
    const end = s.startMs + s.durationMs;
    const crossing = s.to === s.from ? undefined : s.startMs + (s.durationMs * (level - s.from)) / (s.to - s.from);
    const aboveAtStart = s.from >= level;
    if (openAt === undefined && aboveAtStart) openAt = s.startMs;
    if (crossing !== undefined && crossing >= s.startMs && crossing <= end) {
      if (s.to > s.from && openAt === undefined) openAt = crossing;
      else if (s.to < s.from && openAt !== undefined) {
        windows.push({ startMs: openAt, endMs: crossing });
        openAt = undefined;
      }
    }
    if (s.durationMs === 0 && s.to >= level && openAt === undefined) openAt = s.startMs;
  }
  if (openAt !== undefined) windows.push({ startMs: openAt, endMs: totalMs(spans) });
  return windows.filter((w) => w.endMs > w.startMs);
}

/**
 * An open-loop schedule that follows the rate profile: a schedule drawn at 1 request per second
 * (its constant, Poisson or gamma character kept) mapped through the inverse of the cumulative
 * rate Λ(t) (time rescaling). Offsets past the last stage end the schedule.
 */
export function rampedSchedule(spans: readonly StageSpan[], unitRate: ArrivalSchedule): ArrivalSchedule {
  const end = totalMs(spans);
  // Cumulative requests at each span's start.
  const before: number[] = [];
  let acc = 0;
  for (const s of spans) {
    before.push(acc);
    acc += ((s.from + s.to) / 2) * (s.durationMs / 1000);
  }
  const total = acc;
  return () => {
    const work = unitRate() / 1000;
    if (work >= total) return end + 1;
    let i = spans.length - 1;
    while (i > 0 && before[i]! > work) i--;
    const s = spans[i]!;
    const w = work - before[i]!;
    // Within the span the rate is r(x) = a + k x (x in seconds); Λ(x) = a x + k x² / 2.
    const a = s.from;
    const k = s.durationMs > 0 ? (s.to - s.from) / (s.durationMs / 1000) : 0;
    const x = Math.abs(k) < 1e-12 ? (a > 0 ? w / a : 0) : (-a + Math.sqrt(Math.max(0, a * a + 2 * k * w))) / k;
    return s.startMs + Math.min(s.durationMs, x * 1000);
  };
}

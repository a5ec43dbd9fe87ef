import { epochMsOf } from '../model/clock.js';
import { metricUnit, SCALE_BY_UNIT, type FamilyOf } from '../model/metrics.js';
import type { PhaseName, Progress } from '../model/progress.js';
import type { Timeline } from '../model/timeline.js';
import { deriveMetrics } from '../measure/metrics.js';
import { CLIENT_HEALTH_LIMITS } from '../monitor/client-health.js';
import { MetricHistogram } from '../stats/histogram.js';

/**
 * What a run looks like while it goes, from the same stream of finished requests and progress
 * counts the CLI already receives: per-second buckets (wall-clock seconds) of outcomes, output
 * and metric histograms, for the live view (a rolling window) and the exports (each second
 * once, after it has closed). Histograms keep 2 significant digits: this is a view, the
 * results file keeps the exact record.
 */

/** One wall-clock second of one phase of one load point. */
export interface SecondSnapshot {
  /** The second's end (epoch ms), or when the run ended for its last, partial second; its requests ended in the second before. */
  atEpochMs: number;
  phase: PhaseName;
  point: string;
  sent: number;
  ok: number;
  failed: number;
  /** Failed and ok requests by outcome (ok, http_error, timeout, ...). */
  byOutcome: Record<string, number>;
  outputTokens: number;
  audioSeconds: number;
  frames: number;
  /** Most requests in flight seen during the second (from the progress counts). */
  inFlightMax: number;
  /** p50/p99 of the key metrics and latency over the requests that ended in this second (ms for times). */
  metrics: Record<string, { p50: number; p99: number; count: number }>;
  /** Running totals of this phase up to and including this second (Prometheus counters). */
  totals: { sent: number; ok: number; failed: number; byOutcome: Record<string, number>; outputTokens: number; audioSeconds: number; frames: number };
}

/** The state of the current phase for the live view. */
export interface LiveSnapshot {
  phase: PhaseName | 'cooldown';
  point: string;
  /** Load points seen so far (1-based index of this one). */
  pointNumber: number;
  done: number;
  total?: number;
  elapsedMs: number;
  durationMs?: number;
  /** Time left, from the planned count at the current rate or from the planned duration. */
  etaMs?: number;
  inFlight: number;
  failed: number;
  /** Seconds the rates and percentiles below cover (up to {@link WINDOW_SECONDS}). */
  windowSeconds: number;
  requestsPerSecond: number;
  outputPerSecond: { tokens: number; audioSeconds: number; frames: number };
  family: FamilyOf;
  /** Rolling p50/p99 of the family's key metrics over the window. */
  keyMetrics: { name: string; unit: string; p50: number; p99: number; count: number }[];
  /** Failed requests of this phase by outcome. */
  errorsByKind: Record<string, number>;
  /** The client-health flag, by the rules of the run's own verdict (monitor/client-health.ts), over the window. */
  client: { eventLoopP99Ms: number; threadBusyShare: number; lateSendShare: number; healthy: boolean; reasons: string[] };
}

export const WINDOW_SECONDS = 5;

/** What makes the client the limit right now: a saturated thread, or stalls and late sends while it was busy with its own work. */
function clientReasons(eventLoopP99Ms: number, busy: number, lateSendShare: number, latencyP50Ms: number): string[] {
  const L = CLIENT_HEALTH_LIMITS;
  const ownWork = busy >= L.ownWorkBusyShare;
  const out: string[] = [];
  if (busy >= L.threadBusyShare) out.push(`thread busy ${Math.round(busy * 100)}%`);
  if (ownWork && eventLoopP99Ms >= Math.max(L.stallFloorMs, latencyP50Ms * L.stallShareOfLatency)) out.push(`event loop p99 ${eventLoopP99Ms.toFixed(1)} ms`);
  if (ownWork && lateSendShare > L.lateSendShare) out.push(`${(lateSendShare * 100).toFixed(1)}% late sends`);
  return out;
}
/** A second is exported once it ended this long ago, so requests reported late (from worker threads) still land in it. */
const CLOSE_GRACE_MS = 500;
const HISTOGRAM_DIGITS = 2;

class SecondBucket {
  sent = 0;
  ok = 0;
  failed = 0;
  byOutcome: Record<string, number> = {};
  outputTokens = 0;
  audioSeconds = 0;
  frames = 0;
  inFlightMax = 0;
  openLoop = 0;
  lateSends = 0;
  readonly histograms = new Map<string, MetricHistogram>();
  constructor(readonly second: number) {}

  record(name: string, value: number): void {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new MetricHistogram(SCALE_BY_UNIT[metricUnit(name)], HISTOGRAM_DIGITS)));
    h.record(value);
  }
}

/** One phase of one load point. */
class Stage {
  readonly buckets = new Map<number, SecondBucket>();
  readonly errorsByKind: Record<string, number> = {};
  progress?: Progress;
  startEpochMs?: number;
  lastSent = 0;
  /** Newest second handed out by {@link LiveStats.closedSeconds}; later arrivals for it go to the next second. */
  lastClosed = -Infinity;
  readonly totals = { sent: 0, ok: 0, failed: 0, byOutcome: {} as Record<string, number>, outputTokens: 0, audioSeconds: 0, frames: 0 };
  constructor(
    readonly phase: PhaseName | 'cooldown',
    readonly point: string,
    readonly pointNumber: number,
  ) {}

  bucket(second: number): SecondBucket {
    const s = Math.max(second, this.lastClosed + 1);
    let b = this.buckets.get(s);
    if (!b) this.buckets.set(s, (b = new SecondBucket(s)));
    return b;
  }
}

export interface LiveStatsOptions {
  /** What the target answers with: which metrics derive from its requests (the protocol descriptor's family). */
  family: FamilyOf;
  /** The per-request metrics the live view shows p50/p99 of, in this order. */
  keyMetrics: readonly string[];
  /** Open loop: late sends (queue_delay > 1 ms) count against client health. */
  openLoop?: boolean;
  /** Wall clock (epoch ms); tests pass their own. */
  nowEpochMs?: () => number;
  /** This thread's event-loop delay p99 (ms) and busy share since the last read, sampled by the caller (live view). */
  clientSample?: () => { eventLoopP99Ms: number; threadBusyShare: number };
}

export class LiveStats {
  private readonly stages: Stage[] = [];
  private readonly points: string[] = [];
  private readonly now: () => number;

  private readonly tracked: string[];

  constructor(private readonly opts: LiveStatsOptions) {
    this.now = opts.nowEpochMs ?? Date.now;
    this.tracked = [...new Set([...opts.keyMetrics, 'latency'])];
  }

  /** Feed from `run()`'s onProgress. */
  onProgress(p: Progress): void {
    const stage = this.stage(p.phase, p.pointLabel);
    stage.progress = p;
    stage.startEpochMs ??= this.now() - p.elapsedMs;
    if (p.phase === 'cooldown') return;
    const b = stage.bucket(Math.floor(this.now() / 1000));
    const sent = Math.max(0, p.sent - stage.lastSent);
    stage.lastSent = Math.max(stage.lastSent, p.sent);
    b.sent += sent;
    stage.totals.sent += sent;
    b.inFlightMax = Math.max(b.inFlightMax, p.inFlight);
  }

  /** Feed from `run()`'s onRequest. */
  onRequest(t: Timeline, phase: PhaseName, point: string): void {
    const stage = this.stage(phase, point);
    const d = deriveMetrics(t, { family: this.opts.family, openLoop: Boolean(this.opts.openLoop) });
    const endEpochMs = epochMsOf(t.endMs);
    stage.startEpochMs = Math.min(stage.startEpochMs ?? Infinity, epochMsOf(d.startMs));
    const b = stage.bucket(Math.floor(endEpochMs / 1000));
    b.byOutcome[d.outcome] = (b.byOutcome[d.outcome] ?? 0) + 1;
    stage.totals.byOutcome[d.outcome] = (stage.totals.byOutcome[d.outcome] ?? 0) + 1;
    if (d.values.queue_delay !== undefined) {
      b.openLoop++;
      if (d.values.queue_delay > CLIENT_HEALTH_LIMITS.lateSendMs) b.lateSends++;
    }
    if (!d.ok) {
      b.failed++;
      stage.totals.failed++;
      stage.errorsByKind[d.outcome] = (stage.errorsByKind[d.outcome] ?? 0) + 1;
      return;
    }
    b.ok++;
    stage.totals.ok++;
    const tokens = d.tokens.count ?? 0;
    const audio = d.extra.audio_seconds ?? 0;
    const frames = d.extra.frames_count ?? 0;
    b.outputTokens += tokens;
    b.audioSeconds += audio;
    b.frames += frames;
    stage.totals.outputTokens += tokens;
    stage.totals.audioSeconds += audio;
    stage.totals.frames += frames;
    // Only the metrics the view and the exports show: each histogram record is most of the cost.
    for (const name of this.tracked) {
      if (name === 'itl') for (const gap of d.itl) b.record('itl', gap);
      else {
        const value = (d.values as Record<string, number | undefined>)[name] ?? d.extra[name];
        if (value !== undefined) b.record(name, value);
      }
    }
  }

  /** The current phase, for the live view; undefined before the first progress or request. */
  current(): LiveSnapshot | undefined {
    const stage = this.stages.at(-1);
    if (!stage) return undefined;
    const now = this.now();
    const p = stage.progress;
    const nowSecond = Math.floor(now / 1000);
    const windowStartMs = Math.max(stage.startEpochMs ?? now, (nowSecond - WINDOW_SECONDS + 1) * 1000);
    const spanS = Math.max(0.001, (now - windowStartMs) / 1000);
    const window = [...stage.buckets.values()].filter((b) => b.second > nowSecond - WINDOW_SECONDS);
    const sum = (f: (b: SecondBucket) => number) => window.reduce((n, b) => n + f(b), 0);
    const completed = sum((b) => b.ok + b.failed);
    const family = this.opts.family;
    const keyMetrics = this.opts.keyMetrics.flatMap((name) => {
      const merged = new MetricHistogram(SCALE_BY_UNIT[metricUnit(name)], HISTOGRAM_DIGITS);
      for (const b of window) {
        const h = b.histograms.get(name);
        if (h) merged.add(h);
      }
      return merged.count ? [{ name, unit: metricUnit(name), p50: merged.percentile(50), p99: merged.percentile(99), count: merged.count }] : [];
    });
    const requestsPerSecond = completed / spanS;
    const done = p?.done ?? stage.totals.ok + stage.totals.failed;
    const elapsedMs = p ? p.elapsedMs : now - (stage.startEpochMs ?? now);
    let etaMs: number | undefined;
    if (p?.total !== undefined && requestsPerSecond > 0) etaMs = (Math.max(0, p.total - done) / requestsPerSecond) * 1000;
    else if (p?.durationMs !== undefined) etaMs = Math.max(0, p.durationMs - elapsedMs);
    const openLoop = sum((b) => b.openLoop);
    const lateSendShare = openLoop ? sum((b) => b.lateSends) / openLoop : 0;
    const { eventLoopP99Ms, threadBusyShare } = this.opts.clientSample?.() ?? { eventLoopP99Ms: 0, threadBusyShare: 0 };
    const latencyP50 = keyMetrics.find((k) => k.name === 'latency')?.p50 ?? 0;
    const reasons = clientReasons(eventLoopP99Ms, threadBusyShare, lateSendShare, latencyP50);
    return {
      phase: stage.phase,
      point: stage.point,
      pointNumber: stage.pointNumber,
      done,
      total: p?.total,
      elapsedMs,
      durationMs: p?.durationMs,
      etaMs,
      inFlight: p?.inFlight ?? 0,
      failed: p?.failed ?? stage.totals.failed,
      windowSeconds: spanS,
      requestsPerSecond,
      outputPerSecond: { tokens: sum((b) => b.outputTokens) / spanS, audioSeconds: sum((b) => b.audioSeconds) / spanS, frames: sum((b) => b.frames) / spanS },
      family,
      keyMetrics,
      errorsByKind: { ...stage.errorsByKind },
      client: { eventLoopP99Ms, threadBusyShare, lateSendShare, healthy: reasons.length === 0, reasons },
    };
  }

  /**
   * Seconds that have closed since the last call, oldest first, each handed out once. `all`
   * closes every second (the run has ended).
   */
  closedSeconds(all = false): SecondSnapshot[] {
    const limit = all ? Infinity : Math.floor((this.now() - CLOSE_GRACE_MS) / 1000) - 1;
    const out: SecondSnapshot[] = [];
    for (const stage of this.stages) {
      if (stage.phase === 'cooldown') continue;
      const running = { sent: 0, ok: 0, failed: 0, byOutcome: {} as Record<string, number>, outputTokens: 0, audioSeconds: 0, frames: 0 };
      const seconds = [...stage.buckets.keys()].sort((a, b) => a - b);
      for (const second of seconds) {
        const b = stage.buckets.get(second)!;
        running.sent += b.sent;
        running.ok += b.ok;
        running.failed += b.failed;
        running.outputTokens += b.outputTokens;
        running.audioSeconds += b.audioSeconds;
        running.frames += b.frames;
        for (const [k, n] of Object.entries(b.byOutcome)) running.byOutcome[k] = (running.byOutcome[k] ?? 0) + n;
        if (second <= stage.lastClosed || second > limit) continue;
        stage.lastClosed = second;
        out.push({
          // The run's last second closes early: stamped now, never in the future.
          atEpochMs: Math.min((second + 1) * 1000, this.now()),
          phase: stage.phase,
          point: stage.point,
          sent: b.sent,
          ok: b.ok,
          failed: b.failed,
          byOutcome: { ...b.byOutcome },
          outputTokens: b.outputTokens,
          audioSeconds: b.audioSeconds,
          frames: b.frames,
          inFlightMax: b.inFlightMax,
          metrics: Object.fromEntries([...b.histograms].map(([name, h]) => [name, { p50: h.percentile(50), p99: h.percentile(99), count: h.count }])),
          totals: { ...running, byOutcome: { ...running.byOutcome } },
        });
      }
      // Buckets older than the live window that were handed out are not needed again.
      for (const second of seconds) if (second <= stage.lastClosed && second < Math.floor(this.now() / 1000) - WINDOW_SECONDS) this.fold(stage, second);
    }
    return out.sort((a, b) => a.atEpochMs - b.atEpochMs);
  }

  /** Folds a handed-out bucket into the stage's base (its counts stay in the running totals). */
  private fold(stage: Stage, second: number): void {
    const b = stage.buckets.get(second)!;
    stage.buckets.delete(second);
    const base = stage.buckets.get(-Infinity) ?? new SecondBucket(-Infinity);
    base.sent += b.sent;
    base.ok += b.ok;
    base.failed += b.failed;
    base.outputTokens += b.outputTokens;
    base.audioSeconds += b.audioSeconds;
    base.frames += b.frames;
    for (const [k, n] of Object.entries(b.byOutcome)) base.byOutcome[k] = (base.byOutcome[k] ?? 0) + n;
    stage.buckets.set(-Infinity, base);
  }

  private stage(phase: PhaseName | 'cooldown', point: string): Stage {
    // Requests forwarded late from worker threads can still name the stage before the current one.
    for (let i = this.stages.length - 1; i >= Math.max(0, this.stages.length - 3); i--) {
      const s = this.stages[i]!;
      if (s.phase === phase && s.point === point) return s;
    }
    if (!this.points.includes(point)) this.points.push(point);
    const stage = new Stage(phase, point, this.points.indexOf(point) + 1);
    this.stages.push(stage);
    return stage;
  }
}

/**
 * One phase (warmup or measure) of one load point, on this thread. The runner and every worker
 * thread run phases through {@link runPhase}: what the phase is travels as one plain
 * {@link PhaseSpec} value (it crosses the thread boundary as a message), and what this thread
 * holds (its protocol client, dataset, tokenizer, stop signal, hooks) as a {@link PhaseContext}.
 */
import { nowMs, sleepMs } from '../model/clock.js';
import type { PhaseResult } from '../model/results.js';
import type { Timeline } from '../model/timeline.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { arrivalSchedule } from '../load/arrivals.js';
import { closedLoop, openLoop, type SendFn } from '../load/drivers.js';
import { requestsOf, type LoadShare } from '../load/share.js';
import { checkStopConditions, type StopConditions } from '../load/stop-conditions.js';
import type { TokenCounter } from '../measure/tokens.js';
import { Recorder } from '../measure/recorder.js';
import { assessClientHealth, startClientHealth } from '../monitor/client-health.js';
import { startPhaseMonitors, type PhaseMonitorFactory } from '../monitor/phase-monitor.js';
import type { ProtocolClient } from '../protocols/types.js';
import { scenarioSlos } from '../conditions/scenario-fields.js';
import type { Dataset } from '../scenario/dataset.js';
import type { LoadPoint } from '../scenario/load-points.js';
import type { Load } from '../scenario/schema.js';
import { mixSeed } from '../random.js';

export interface PhaseBounds {
  requests?: number;
  durationMs?: number;
}

/** What one phase is: plain data, the same on the main thread and in every worker thread. */
export interface PhaseSpec {
  phase: PhaseName;
  /** Which load point of the run (worker threads keep one client per point). */
  pointIndex: number;
  point: LoadPoint;
  bounds: PhaseBounds;
  /** The part of the load this thread runs (a worker's share, a segment's, or the whole). */
  share: LoadShare;
  /** When the phase starts, in epoch ms, so that every worker thread shares one origin; absent: at once. */
  originEpochMs?: number;
  /** Per-request SLOs for goodput (scenario `slo`). */
  slo?: readonly string[];
  /** Stop conditions checked on this thread's counts (the main thread checks the totals of all workers). */
  stop: StopConditions;
}

/** Hooks a phase reports through; all optional. */
export interface PhaseHooks {
  onProgress?: (progress: Progress) => void;
  /** Every finished request as it completes. */
  onRequest?: (timeline: Timeline, phase: PhaseName, pointLabel: string) => void;
  /** Watchers started with the phase that add to its result (GPU, server metrics). */
  phaseMonitors?: PhaseMonitorFactory[];
}

/** What this thread holds for the phase: never sent between threads. */
export interface PhaseContext extends PhaseHooks {
  client: ProtocolClient;
  dataset?: Dataset;
  tokenizer?: TokenCounter;
  /** Aborting it stops the phase; in-flight requests end as `aborted`. */
  stop: AbortController;
}

export interface PhaseOutcome {
  result: PhaseResult;
  warnings: string[];
}

const PROGRESS_INTERVAL_MS = 250;

/** The most requests a load keeps in flight (connection pools are sized to it). */
export function maxConcurrency(load: Load): number {
  if (load.mode === 'rate') return load.max_in_flight ?? 1024;
  return load.mode === 'concurrency' ? load.concurrency : 1;
}

/** Closed-loop users of a load (undefined for an open loop). */
export function closedLoopUsers(load: Load): number | undefined {
  return load.mode === 'rate' ? undefined : load.mode === 'concurrency' ? load.concurrency : 1;
}

/** Runs one phase of a load point on this thread and returns its result. */
export async function runPhase(spec: PhaseSpec, ctx: PhaseContext): Promise<PhaseOutcome> {
  const { phase, point, bounds, share } = spec;
  const { load, label: pointLabel } = point;
  const { client, dataset, stop } = ctx;
  const openLoopMode = load.mode === 'rate';
  // Monitors take their "before" reading (a metrics scrape) before the first request leaves.
  const monitors = await startPhaseMonitors(ctx.phaseMonitors, { phase, pointLabel });
  if (spec.originEpochMs !== undefined) await sleepMs(spec.originEpochMs - (performance.timeOrigin + nowMs()), stop.signal);
  const originMs = spec.originEpochMs === undefined ? nowMs() : spec.originEpochMs - performance.timeOrigin;
  const recorder = new Recorder({ phaseStartMs: originMs, openLoop: openLoopMode, tokenizer: ctx.tokenizer, slos: scenarioSlos(spec.slo) });
  const health = startClientHealth();
  const counts = { sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0 };
  const total = bounds.requests === undefined ? undefined : requestsOf(share, bounds.requests, closedLoopUsers(load));
  const emit = () =>
    ctx.onProgress?.({ phase, pointLabel, ...counts, total, durationMs: bounds.durationMs, elapsedMs: nowMs() - originMs });
  const ticker = ctx.onProgress ? setInterval(emit, PROGRESS_INTERVAL_MS) : undefined;
  ticker?.unref();
  // Warmup and measure draw different per-request seeds, so warmup never replays measured payloads.
  const phaseSeed = mixSeed(load.seed, phase === 'warmup' ? 1 : 2);

  const send: SendFn = async (index, scheduledMs) => {
    counts.sent++;
    counts.inFlight++;
    const leftAt = nowMs();
    recorder.noteSent(leftAt);
    recorder.noteInFlight(counts.inFlight, leftAt);
    const t = await client.send({
      index,
      scheduledMs,
      vars: { index, seed: mixSeed(phaseSeed, index), row: dataset?.rowFor(index) },
      signal: stop.signal,
    });
    counts.inFlight--;
    counts.done++;
    recorder.noteInFlight(counts.inFlight, t.endMs);
    if (t.outcome === 'ok') counts.ok++;
    else counts.failed++;
    recorder.record(t);
    ctx.onRequest?.(t, phase, pointLabel);
    checkStopConditions(spec.stop, counts, stop);
  };

  if (openLoopMode) {
    await openLoop(
      {
        ...bounds,
        signal: stop.signal,
        originMs,
        schedule: arrivalSchedule(load.arrival, load.rate!, phaseSeed, load.burstiness),
        maxInFlight: load.max_in_flight === undefined ? undefined : Math.ceil(load.max_in_flight / share.count),
        onDropped: () => recorder.noteDropped(),
        share,
      },
      send,
    );
  } else {
    await closedLoop({ ...bounds, signal: stop.signal, originMs, workers: closedLoopUsers(load)!, thinkTimeMs: load.think_time, share }, send);
  }
  if (ticker) clearInterval(ticker);
  emit();

  const sample = health.stop();
  const assessed = assessClientHealth({ eventLoopDelay: sample.eventLoopDelayMs, cpuPercent: sample.cpuPercent, lateSendShare: recorder.lateSendShare });
  const result = recorder.toPhaseResult(sample);
  const notes = await monitors.stop(result);
  return { result, warnings: phase === 'measure' ? [...assessed.warnings, ...notes] : [] };
}

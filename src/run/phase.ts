/**
 * One phase (warmup or measure) of one load point, on this thread. The runner and every worker
 * thread run phases through {@link runPhase}: what the phase is travels as one plain
 * {@link PhaseSpec} value (it crosses the thread boundary as a message), and what this thread
 * holds (its protocol client, dataset, tokenizer, stop signal, hooks) as a {@link PhaseContext}.
 */
import { nowMs, sleepMs } from '../model/clock.js';
import type { PhaseResult, StageResult } from '../model/results.js';
import type { Timeline } from '../model/timeline.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { arrivalSchedule } from '../load/arrivals.js';
import { closedLoop, openLoop, rampedClosedLoop, type SendFn } from '../load/drivers.js';
import { peakOf, rampedSchedule, stageAt, stageSpans, totalMs } from '../load/stages.js';
import { requestsOf, type LoadShare } from '../load/share.js';
import { checkStopConditions, type StopConditions } from '../load/stop-conditions.js';
import type { TokenCounter, TokenizerCounts } from '../measure/tokens.js';
import { Recorder } from '../measure/recorder.js';
import { lateSendThresholdMs, startClientHealth } from '../monitor/client-health.js';
import { startPhaseMonitors, type PhaseMonitorFactory } from '../monitor/phase-monitor.js';
import type { ProtocolClient } from '../protocols/types.js';
import { compileChecked } from '../conditions/condition.js';
import type { Dataset } from '../scenario/dataset.js';
import type { SecretRegistry } from '../scenario/secrets.js';
import type { LoadPoint } from '../scenario/load-points.js';
import type { Load } from '../scenario/schema.js';
import { mixSeed, seededRng } from '../random.js';
import { TimelineBuilder } from '../model/timeline.js';
import { closedLoopIndices, ownsArrival } from '../load/share.js';
import { Captures, RequestBuilder, type StepValues } from './requests.js';

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
  /** The point's connection pool size (its load's most requests in flight), whatever load this phase runs at. */
  connections?: number;
  /** `{{run_id}}`: the same for every call, thread and segment of the run. */
  runId?: string;
  /** Earlier steps' values (their successful calls, in call order), for `{{steps.<step>.<value>}}`. */
  stepValues?: StepValues;
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
  /** Counts answers and prompts in the tokenizer process (measure/tokens.ts). */
  tokenizer?: TokenCounter;
  /** The run's secrets: each request's messages are redacted with them as it ends. */
  secrets?: SecretRegistry;
  /** Aborting it stops the phase; in-flight requests end as `aborted`. */
  stop: AbortController;
}

export interface PhaseOutcome {
  result: PhaseResult;
  warnings: string[];
  /** Each call's named values (values, captures), when the point names any: what later steps use. */
  calls?: CallValues[];
  /** A staged load: each stage's part of the phase. */
  stages?: StageResult[];
}

/** One call's values, kept for the steps after it. */
export interface CallValues {
  index: number;
  ok: boolean;
  values: Record<string, unknown>;
}

const PROGRESS_INTERVAL_MS = 250;

/** The most requests a load keeps in flight (connection pools are sized to it). */
export function maxConcurrency(load: Load): number {
  if (load.mode === 'rate') return load.max_in_flight ?? 1024;
  if (load.stages) return Math.max(1, Math.ceil(peakOf(stageSpans(load.stages, false))));
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
  const slos = spec.slo?.length ? spec.slo.flatMap((t) => compileChecked(t, 'request')) : undefined;
  const lateSendMs = openLoopMode ? lateSendThresholdMs(load.rate) : undefined;
  const recorderAt = (phaseStartMs: number) => new Recorder({ family: client.family, phaseStartMs, openLoop: openLoopMode, slos, lateSendMs });
  const recorder = recorderAt(originMs);
  // A staged load: each stage's requests (by when they started) are also recorded apart.
  const spans = load.stages && phase === 'measure' ? stageSpans(load.stages, openLoopMode) : undefined;
  const stageRecorders = spans?.map((s) => recorderAt(originMs + s.startMs));
  const stageOf = (atMs: number) => stageRecorders?.[stageAt(spans!, atMs - originMs)];
  const durationMs = bounds.durationMs ?? (spans ? totalMs(spans) : undefined);
  const health = startClientHealth();
  const counts = { sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0 };
  const total = bounds.requests === undefined ? undefined : requestsOf(share, bounds.requests, closedLoopUsers(load));
  const emit = () =>
    ctx.onProgress?.({ phase, pointLabel, ...counts, total, durationMs, elapsedMs: nowMs() - originMs });
  const ticker = ctx.onProgress ? setInterval(emit, PROGRESS_INTERVAL_MS) : undefined;
  ticker?.unref();
  // Warmup and measure draw different per-request seeds, so warmup never replays measured payloads.
  const phaseSeed = mixSeed(load.seed, phase === 'warmup' ? 1 : 2);

  const builder = await RequestBuilder.create({
    phase,
    phaseSeed,
    runId: spec.runId,
    dataset,
    calls: point.calls,
    stepValues: spec.stepValues,
    build: (point.target as { build?: string }).build,
    client,
  });
  // Requests are built before the clock starts, as the notebook pre-generates its payloads.
  if (bounds.requests !== undefined) await builder.prebuild(plannedIndices(spec));
  const captures = new Captures(point.calls?.capture);
  const calls: CallValues[] | undefined = point.calls?.values || point.calls?.capture || (point.target as { build?: string }).build ? [] : undefined;
  const { tokenizer } = ctx;
  const pendingCounts = new Set<Promise<void>>();

  const send: SendFn = async (index, scheduledMs) => {
    const call = await builder.take(index);
    counts.sent++;
    counts.inFlight++;
    const leftAt = nowMs();
    recorder.noteSent(leftAt);
    recorder.noteInFlight(counts.inFlight, leftAt);
    const stageRecorder = stageOf(scheduledMs ?? leftAt);
    stageRecorder?.noteSent(leftAt);
    stageRecorder?.noteInFlight(counts.inFlight, leftAt);
    const t = call.error
      ? new TimelineBuilder(index, scheduledMs).finish('protocol_error', call.error)
      : await client.send({ index, phase, scheduledMs, vars: call.vars, prepared: call.prepared, keepResponse: captures.wanted, signal: stop.signal });
    const values = captures.valuesOf(t, call.vars.values);
    delete t.responseText;
    if (values) t.values = values;
    redactTimeline(t, ctx.secrets);
    counts.inFlight--;
    counts.done++;
    recorder.noteInFlight(counts.inFlight, t.endMs);
    if (t.outcome === 'ok') counts.ok++;
    else counts.failed++;
    // The tokenizer counts in its own process (measure/tokens.ts): the request is recorded when its
    // counts come, without holding up the next send; the phase waits for every count at its end.
    const counting = tokenizer && t.outcome === 'ok' && !stop.signal.aborted ? countTokens(tokenizer, t, stop.signal) : undefined;
    if (counting) {
      const recorded = counting.then((c) => (stageRecorder?.record(t, c), recorder.record(t, c)));
      pendingCounts.add(recorded);
      void recorded.finally(() => pendingCounts.delete(recorded));
    } else {
      stageRecorder?.record(t);
      recorder.record(t);
    }
    calls?.push({ index, ok: t.outcome === 'ok', values: values ?? {} });
    ctx.onRequest?.(t, phase, pointLabel);
    checkStopConditions(spec.stop, counts, stop);
  };

  if (openLoopMode) {
    await openLoop(
      {
        ...bounds,
        durationMs,
        signal: stop.signal,
        originMs,
        schedule: spans
          ? rampedSchedule(spans, arrivalSchedule(load.arrival, 1, phaseSeed, load.burstiness))
          : arrivalSchedule(load.arrival, load.rate!, phaseSeed, load.burstiness),
        maxInFlight: load.max_in_flight === undefined ? undefined : Math.ceil(load.max_in_flight / share.count),
        onDropped: (_index, scheduledMs) => {
          recorder.noteDropped();
          stageOf(scheduledMs)?.noteDropped();
        },
        share,
      },
      send,
    );
  } else if (spans) {
    await rampedClosedLoop({ signal: stop.signal, originMs, spans, share, thinkTimeMs: thinkTimeOf(load, phaseSeed) }, send);
  } else {
    await closedLoop({ ...bounds, signal: stop.signal, originMs, workers: closedLoopUsers(load)!, thinkTimeMs: thinkTimeOf(load, phaseSeed), share }, send);
  }
  await Promise.all(pendingCounts);
  if (ticker) clearInterval(ticker);
  emit();

  const sample = health.stop();
  // The figures only: the caller judges the phase's client health once its result is whole (all threads merged).
  const result = recorder.toPhaseResult(sample);
  const notes = await monitors.stop(result);
  const outcome: PhaseOutcome = { result, warnings: phase === 'measure' ? notes : [] };
  if (calls) outcome.calls = calls;
  if (spans) {
    outcome.stages = spans.map((span, i) => ({
      label: span.label,
      startOffsetMs: span.startMs,
      durationMs: span.durationMs,
      from: span.from,
      to: span.to,
      unit: openLoopMode ? 'requests/s' : 'users',
      measure: stageRecorders![i]!.toPhaseResult(sample),
    }));
  }
  return outcome;
}

/** A request's answer and prompt counted by the tokenizer (none when it has neither). */
function countTokens(tokenizer: TokenCounter, t: Timeline, signal: AbortSignal): Promise<TokenizerCounts> | undefined {
  if (t.text === undefined && t.prompt === undefined) return undefined;
  return Promise.all([
    t.text === undefined ? undefined : tokenizer.count(t.text, t.textChars, signal),
    t.prompt === undefined ? undefined : tokenizer.count(t.prompt, t.prompt.length, signal),
  ]).then(([output, input]) => {
    const counts: TokenizerCounts = {};
    if (output) counts.output = output;
    if (input) counts.input = input;
    return counts;
  });
}

/**
 * A request's messages are redacted as soon as it ends, before anything shortens them further
 * (the recorder's error table, records, previews), so no piece of a secret survives a cut.
 */
function redactTimeline(t: Timeline, secrets: SecretRegistry | undefined): void {
  if (!secrets) return;
  if (t.error !== undefined) t.error = secrets.redactText(t.error);
  if (t.bodyPreview !== undefined) t.bodyPreview = secrets.redactText(t.bodyPreview);
}

/** The call indices this share sends in a count-bounded phase (what is built ahead). */
function* plannedIndices({ point, bounds, share }: PhaseSpec): Generator<number> {
  if (bounds.requests === undefined) return;
  const users = closedLoopUsers(point.load);
  if (users !== undefined) yield* closedLoopIndices(share, users, bounds.requests);
  else for (let i = 0; i < bounds.requests; i++) if (ownsArrival(share, i)) yield i;
}

/** Think time after call i: fixed, or drawn between the bounds from the call's own seed (the same run, the same pauses). */
function thinkTimeOf(load: Load, phaseSeed: number): ((index: number) => number) | undefined {
  const { minMs, maxMs } = load.think_time;
  if (maxMs <= 0) return undefined;
  if (maxMs === minMs) return () => minMs;
  return (index) => minMs + seededRng(mixSeed(mixSeed(phaseSeed, 0x7417), index))() * (maxMs - minMs);
}

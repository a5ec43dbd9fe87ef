/**
 * Load across worker threads on one machine (DESIGN principle 2: use every core). Each worker
 * runs the same phase with its own share of the load (load/share.ts) from one shared origin,
 * and ships its encoded PhaseResult back; the main thread merges them exactly
 * (Recorder.merge), sums progress, applies stop conditions to the totals, and passes every
 * finished request's Timeline (moved onto the main thread's clock) to onRequest.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { nowMs } from '../model/clock.js';
import { checkStopConditions } from '../load/stop-conditions.js';
import { requestsOf, workerShare, type LoadShare } from '../load/share.js';
import { answerTextKeepChars, type Timeline } from '../model/timeline.js';
import { judgePhaseHealth } from '../monitor/client-health.js';
import { startPhaseMonitors } from '../monitor/phase-monitor.js';
import { Recorder } from '../measure/recorder.js';
import type { PhaseResult } from '../model/results.js';
import type { LoadedScenario } from '../scenario/load-scenario.js';
import type { LoadPoint } from '../scenario/load-points.js';
import type { Scenario } from '../scenario/schema.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { closedLoopUsers, type PhaseHooks, type PhaseOutcome, type PhaseSpec } from './phase.js';
import { clientCapacity, plannedThreadShare } from './client-capacity.js';

/**
 * Phases start this long after the main thread posts them, so every worker has received the
 * message before the first arrival is due (a message takes well under 1 ms on an idle machine).
 */
const START_LEAD_MS = 30;
const PROGRESS_INTERVAL_MS = 250;

/** Sent to a worker thread at start (workerData). */
export interface WorkerInit {
  scenario: Scenario;
  secretValues: string[];
  /** Characters of each answer's text a timeline keeps (the main thread's setting). */
  keepTextChars: number;
}

export type ToWorker =
  /** The phase as the main thread planned it; the worker runs its own share of it. */
  | { type: 'phase'; spec: PhaseSpec; wantRequests: boolean }
  | { type: 'stop'; reason: string }
  | { type: 'close' };

export interface PhaseCounts {
  sent: number;
  done: number;
  ok: number;
  failed: number;
  inFlight: number;
}

export type FromWorker =
  | { type: 'progress'; counts: PhaseCounts }
  | { type: 'requests'; timelines: Timeline[]; timeOrigin: number; phase: PhaseName }
  | { type: 'phase-done'; outcome: PhaseOutcome }
  | { type: 'failed'; message: string; stack?: string }
  | { type: 'ready' }
  | { type: 'closed' };

export interface WorkerPlan {
  workers: number;
  warnings: string[];
}

/**
 * How many threads the run uses, and warnings when the planned load exceeds what they can
 * generate: `options.workers` when given, else one per core when an open-loop point plans
 * more than one thread's safe share of the calibrated (or estimated) capacity, else 1.
 */
export async function planWorkers(scenario: Scenario, points: LoadPoint[], options: { workers?: number; segment?: LoadShare }): Promise<WorkerPlan> {
  const cores = availableParallelism();
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
    throw new RangeError(`workers must be a whole number ≥ 1, got ${options.workers}`);
  }
  // Only open loops fix their load in advance; closed loops skip the (cheap) calibration read.
  const capacity = points.some((p) => p.load.mode === 'rate') ? await clientCapacity() : undefined;
  const segmentCount = options.segment?.count ?? 1;
  let busiest: { share: number; describe: string; label: string } | undefined;
  for (const p of points) {
    const planned = capacity && plannedThreadShare(p, capacity);
    // A segment runs 1/n of the load on its own machine.
    if (planned && (!busiest || planned.share / segmentCount > busiest.share)) busiest = { share: planned.share / segmentCount, describe: planned.describe, label: p.label };
  }
  const workers = options.workers ?? (busiest && busiest.share > 1 ? cores : 1);
  const warnings: string[] = [];
  if (busiest && capacity && busiest.share > workers) {
    const segment = segmentCount > 1 ? ` (this segment's 1/${segmentCount} share)` : '';
    warnings.push(
      `${busiest.label}: the planned load (${busiest.describe}${segment}) is above what ${workers} client thread${workers > 1 ? 's' : ''} can send without becoming the limit ` +
        `(${capacity.source === 'calibrated' ? 'calibrated' : 'estimated; run `inferbench calibrate` to measure this machine'}: ` +
        `${Math.round(capacity.unaryRequestsPerSecond)} req/s, ${Math.round(capacity.sseEventsPerSecond)} events/s per thread at most, half that to stay accurate): ` +
        `results may be client-bound; use --workers, more machines (--segment), or less load`,
    );
  }
  if (options.workers !== undefined && options.workers > cores) warnings.push(`--workers ${options.workers} is more than this machine's ${cores} cores: threads will share cores`);
  return { workers, warnings };
}

export interface WorkerPool {
  /** Runs the phase across every worker, each with its share of `spec.share`, and merges their results. */
  runPhase(spec: PhaseSpec, hooks: PhaseHooks): Promise<PhaseOutcome>;
  close(): Promise<void>;
}

interface WorkerHandle {
  worker: Worker;
  /** Receives this worker's messages for the phase in progress. */
  listener?: (m: FromWorker) => void;
  failure?: Error;
}

/** Starts `count` worker threads for one run; they keep their connections from phase to phase. */
export async function startWorkerPool(loaded: LoadedScenario, count: number, stop: AbortController): Promise<WorkerPool> {
  const { scenario } = loaded;
  const secretValues = [...loaded.secrets.values()];
  const handles: WorkerHandle[] = [];
  for (let worker = 0; worker < count; worker++) {
    const init: WorkerInit = { scenario, secretValues, keepTextChars: answerTextKeepChars() };
    const handle: WorkerHandle = { worker: spawnWorker(init) };
    handle.worker.on('message', (m: FromWorker) => handle.listener?.(m));
    handle.worker.on('error', (err) => {
      handle.failure = err;
      handle.listener?.({ type: 'failed', message: err.message, stack: err.stack });
    });
    handles.push(handle);
  }
  // Phases are timed from an origin a few ms after they are posted: wait until every worker has loaded.
  await Promise.all(
    handles.map(
      (h, k) =>
        new Promise<void>((resolve, reject) => {
          h.listener = (m) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'failed') reject(new Error(`worker thread ${k} failed to start: ${m.message}`));
          };
          h.worker.once('exit', (code) => reject(new Error(`worker thread ${k} exited (${code}) before it was ready`)));
        }),
    ),
  ).catch(async (err: Error) => {
    await Promise.all(handles.map((h) => h.worker.terminate()));
    throw err;
  });
  for (const h of handles) h.worker.removeAllListeners('exit');
  const onStop = () => {
    for (const h of handles) h.worker.postMessage({ type: 'stop', reason: String(stop.signal.reason ?? 'stopped') } satisfies ToWorker);
  };
  stop.signal.addEventListener('abort', onStop, { once: true });

  return {
    async runPhase(spec, options) {
      const { phase, point, bounds } = spec;
      // GPU and server-metrics monitors watch the whole phase from the main thread, as on one thread.
      const monitors = await startPhaseMonitors(options.phaseMonitors, { phase, pointLabel: point.label });
      const originMs = spec.originEpochMs !== undefined ? spec.originEpochMs - performance.timeOrigin : nowMs() + START_LEAD_MS;
      const plannedTotal = bounds.requests === undefined ? undefined : requestsOf(spec.share, bounds.requests, closedLoopUsers(point.load));
      const latest: PhaseCounts[] = handles.map(() => ({ sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0 }));
      const total = (): PhaseCounts => latest.reduce((a, c) => ({ sent: a.sent + c.sent, done: a.done + c.done, ok: a.ok + c.ok, failed: a.failed + c.failed, inFlight: a.inFlight + c.inFlight }));
      const emit = () => {
        const t = total();
        options.onProgress?.({ phase, pointLabel: point.label, ...t, total: plannedTotal, durationMs: bounds.durationMs, elapsedMs: Math.max(0, nowMs() - originMs) } satisfies Progress);
      };
      const ticker = options.onProgress ? setInterval(emit, PROGRESS_INTERVAL_MS) : undefined;
      ticker?.unref();
      const outcomes = await Promise.all(
        handles.map(
          (h, k) =>
            new Promise<PhaseOutcome>((resolve, reject) => {
              if (h.failure) return reject(h.failure);
              h.listener = (m) => {
                if (m.type === 'progress') {
                  latest[k] = m.counts;
                  checkStopConditions(spec.stop, total(), stop);
                } else if (m.type === 'requests') {
                  const shiftMs = m.timeOrigin - performance.timeOrigin;
                  for (const t of m.timelines) options.onRequest?.(shiftTimeline(t, shiftMs), m.phase, point.label);
                } else if (m.type === 'phase-done') {
                  h.listener = undefined;
                  resolve(m.outcome);
                } else if (m.type === 'failed') {
                  h.listener = undefined;
                  reject(Object.assign(new Error(`worker thread ${k} failed: ${m.message}`), { stack: m.stack }));
                }
              };
              h.worker.postMessage({
                type: 'phase',
                spec: { ...spec, share: workerShare(spec.share, k, handles.length), originEpochMs: performance.timeOrigin + originMs, stop: {} },
                wantRequests: Boolean(options.onRequest),
              } satisfies ToWorker);
            }),
        ),
      );
      if (ticker) clearInterval(ticker);
      const result = Recorder.merge(outcomes.map((o) => o.result));
      // The final progress comes from the merged counts, so it matches the results exactly.
      latest.splice(0, latest.length, { sent: result.counts.sent, done: result.counts.completed, ok: result.counts.ok, failed: result.counts.failed, inFlight: 0 });
      emit();
      const notes = await monitors.stop(result);
      const health = judgePhaseHealth(result, { threads: handles.length, openLoop: point.load.mode === 'rate' });
      const outcome: PhaseOutcome = { result, warnings: phase === 'measure' ? [...health, ...notes] : [] };
      if (outcomes.some((o) => o.calls)) outcome.calls = outcomes.flatMap((o) => o.calls ?? []);
      const stages = outcomes[0]?.stages;
      if (stages) outcome.stages = stages.map((stage, i) => ({ ...stage, measure: Recorder.merge(outcomes.map((o) => o.stages![i]!.measure)) }));
      return outcome;
    },
    async close() {
      stop.signal.removeEventListener('abort', onStop);
      await Promise.all(
        handles.map(async (h) => {
          if (!h.failure) {
            const closed = new Promise<void>((resolve) => {
              h.listener = (m) => m.type === 'closed' && resolve();
              h.worker.once('exit', () => resolve());
            });
            h.worker.postMessage({ type: 'close' } satisfies ToWorker);
            await closed;
          }
          await h.worker.terminate();
        }),
      );
    },
  };
}

/** Moves a Timeline's monotonic marks from a worker's clock onto this thread's (performance.timeOrigin differs per thread). */
export function shiftTimeline(t: Timeline, shiftMs: number): Timeline {
  const s = (v: number | undefined) => (v === undefined ? undefined : v + shiftMs);
  return {
    ...t,
    scheduledMs: s(t.scheduledMs),
    sentMs: t.sentMs + shiftMs,
    headersMs: s(t.headersMs),
    firstByteMs: s(t.firstByteMs),
    firstEventMs: s(t.firstEventMs),
    submittedMs: s(t.submittedMs),
    content: t.content.map((c) => ({ ...c, atMs: c.atMs + shiftMs })),
    endMs: t.endMs + shiftMs,
  };
}

/**
 * Built output runs worker-main.js directly; the TypeScript sources (tsx, vitest) need tsx's
 * loader registered inside the new thread first, which worker-bootstrap.mjs does.
 */
function spawnWorker(init: WorkerInit): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  if (!fromSources) return new Worker(new URL('./worker-main.js', import.meta.url), { workerData: init });
  return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
    workerData: { ...init, entry: new URL('./worker-main.ts', import.meta.url).href },
  });
}

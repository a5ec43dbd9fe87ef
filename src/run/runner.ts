import { hostname, cpus, arch, platform } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { nowMs, epochMsOf, sleepMs } from '../model/clock.js';
import { arrivalSchedule } from '../load/arrivals.js';
import { closedLoop, openLoop, type SendFn } from '../load/drivers.js';
import { ANSWER_TEXT_KEEP_CHARS, keepAnswerText, type Timeline } from '../model/timeline.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { loadTokenCounter, type TokenCounter } from '../measure/tokens.js';
import { assessClientHealth, startClientHealth } from '../monitor/client-health.js';
import { probeTcp } from './probe.js';
import { createClient, familiesOf } from '../protocols/registry.js';
import type { ProtocolClient, ProtocolDebugSink } from '../protocols/types.js';
import { Recorder } from '../measure/recorder.js';
import { RecordsWriter, recordsPathFor } from '../results/records.js';
import { RESULTS_SCHEMA_VERSION, type LoadPointResult, type PhaseResult, type Results } from '../model/results.js';
import { resultsFileName, writeResultsAtomic } from '../results/writer.js';
import { loadDataset, type Dataset } from '../scenario/dataset.js';
import { resolveScenario, type LoadedScenario } from '../scenario/load-scenario.js';
import type { Load, Scenario, ScenarioInput } from '../scenario/schema.js';
import { loadPoints, type LoadPoint } from '../scenario/load-points.js';
import { SecretRegistry } from '../scenario/secrets.js';
import { mixSeed } from '../random.js';
import { requestsOf, WHOLE_LOAD, type LoadShare } from '../load/share.js';
import { planWorkers, startWorkerPool, type WorkerPool } from './workers.js';
import { checkStopConditions } from '../load/stop-conditions.js';
import { TOOL_VERSION } from '../version.js';
import { scenarioMonitors, startPhaseMonitors, type PhaseMonitorFactory } from '../monitor/phase-monitor.js';
import { pointsPerText } from '../scenario/text-points.js';
import { perTextResults } from '../results/per-text.js';
import { scenarioSlos } from '../conditions/scenario-fields.js';
import { judgeTargets } from '../conditions/targets.js';

export type { PhaseName, Progress };

export interface RunOptions {
  /** Abort to stop the run (Ctrl+C): in-flight requests end as `aborted`, and what was measured is kept and written. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Every finished request, warmup included, as it completes (records, debug output). */
  onRequest?: (timeline: Timeline, phase: PhaseName, pointLabel: string) => void;
  /** For the results' metadata; the CLI passes process.argv. */
  commandLine?: string[];
  /** Secrets already registered by the caller (e.g. from CLI flags), merged with the scenario's. */
  secrets?: SecretRegistry;
  /** Skip the TCP reachability probe (targets that are not URLs, tests of failure paths). */
  skipProbe?: boolean;
  /** Raw wire data for `--debug` (POST answers, stream lines), handed to every protocol client. */
  debug?: ProtocolDebugSink;
  /** Watchers started with each phase that add to its result (GPU, server metrics); the scenario's `monitor` adds its own. */
  phaseMonitors?: PhaseMonitorFactory[];
  /** Worker threads that split the load (see scale/workers.ts); default: as many as the planned load needs. */
  workers?: number;
  /** Run only this deterministic share of the scenario (`--segment i/n`); the results are a part for `inferbench merge`. */
  segment?: LoadShare;
  /** Keep each answer's whole text in its timeline (`--debug text`); by default the first ANSWER_TEXT_KEEP_CHARS characters. */
  keepFullText?: boolean;
}

export interface RunResult {
  results: Results;
  /** Where the results JSON was written (absent when output.write is false). */
  path?: string;
  /** Where per-request records were streamed (output.records). */
  recordsPath?: string;
  secrets: SecretRegistry;
}

const PROGRESS_INTERVAL_MS = 250;

/**
 * Runs a scenario: probe, then for each load point warmup → measure → cooldown, then
 * results (written atomically). Library first: the CLI is one caller of this.
 */
export async function run(input: ScenarioInput | LoadedScenario, options: RunOptions = {}): Promise<RunResult> {
  const loaded = 'scenario' in input && 'secrets' in input ? (input as LoadedScenario) : resolveScenario(input);
  const { scenario } = loaded;
  const secrets = loaded.secrets;
  if (options.secrets) for (const v of options.secrets.values()) secrets.add(v);
  // From here on options.secrets is the run's whole registry: phases redact each request's messages with it.
  options = { ...options, secrets, phaseMonitors: [...(options.phaseMonitors ?? []), ...scenarioMonitors(scenario)] };

  const dataset = scenario.dataset ? await loadDataset(scenario.dataset, scenario.load.seed) : undefined;
  if (!options.skipProbe && 'url' in scenario.target) await probeTcp(scenario.target.url);

  const started = new Date();
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'inferbench', version: TOOL_VERSION },
    name: scenario.name,
    startedAt: started.toISOString(),
    startedAtEpochMs: started.getTime(),
    endedAt: started.toISOString(),
    commandLine: (options.commandLine ?? []).map((a) => secrets.redactText(a)),
    host: hostInfo(),
    gitSha: gitSha(),
    scenario: secrets.redact(scenario as unknown as Record<string, unknown>),
    interrupted: false,
    warnings: [],
    points: [],
  };

  // Records stream next to where the results will be written, under the same name.
  const points = pointsPerText(loadPoints(scenario, loaded.raw ?? {}), scenario, loaded.raw ?? {}, dataset);
  const records = scenario.output.records
    ? RecordsWriter.open(recordsPathFor(resultsPathOf(scenario, started, options.segment), scenario.output.records), scenario.output.records, points.flatMap((p) => familiesOf(p.target).slice(0, 1)), secrets)
    : undefined;
  if (records) {
    const outer = options.onRequest;
    options = { ...options, onRequest: (t, phase, label) => (records.write(t, phase, label), outer?.(t, phase, label)) };
  }

  const workerPlan = await planWorkers(scenario, points, options);
  results.warnings.push(...workerPlan.warnings);
  if (options.segment && options.segment.count > 1) results.segment = { ...options.segment };
  if (workerPlan.workers > 1) results.workers = workerPlan.workers;
  keepAnswerText(options.keepFullText ? Infinity : ANSWER_TEXT_KEEP_CHARS);
  const tokenizer = scenario.tokenizer === 'auto' ? loadTokenCounter() : undefined;
  const stop = new AbortController();
  // Every in-flight request listens for the stop; there can be thousands.
  setMaxListeners(0, stop.signal);
  const onUserAbort = () => stop.abort(options.signal?.reason ?? 'interrupted');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) onUserAbort();

  let pool: WorkerPool | undefined;
  try {
    await tokenizer?.ready(stop.signal);
    if (workerPlan.workers > 1) pool = await startWorkerPool(loaded, workerPlan.workers, options.segment ?? WHOLE_LOAD, stop);
    for (const [pointIndex, point] of points.entries()) {
      if (stop.signal.aborted) break;
      const client = await createClient(point.target, { secrets, maxConcurrency: maxConcurrency(point.load), debug: options.debug });
      const pointDataset = point.dataset ?? dataset;
      // The seam to worker threads: one phase runs here, or split across the pool and merged.
      const phaseRunner: PhaseRunner = pool
        ? (phase, bounds) => pool!.runPhase({ phase, pointIndex, point, bounds }, options)
        : (phase, bounds) => runPhase(phase, scenario, point.load, bounds, client, pointDataset, tokenizer, stop, options, point.label, { share: options.segment ?? WHOLE_LOAD });
      try {
        results.points.push(await runLoadPoint(scenario, point, phaseRunner, stop, options, secrets, results.warnings));
        if (point.text) results.points.at(-1)!.text = point.text;
      } finally {
        await client.close().catch(() => undefined);
      }
    }
  } catch (err) {
    results.interrupted = true;
    results.interruptReason = `inferbench failed mid-run: ${(err as Error).message}`;
    throw Object.assign(err as Error, { partial: await finish(results, scenario, secrets) });
  } finally {
    options.signal?.removeEventListener('abort', onUserAbort);
    records?.close();
    await pool?.close();
    await tokenizer?.close();
  }
  if (stop.signal.aborted) {
    results.interrupted = true;
    results.interruptReason ??= String(stop.signal.reason ?? 'interrupted');
  }
  const finished = await finish(results, scenario, secrets);
  return records ? { ...finished, recordsPath: records.path } : finished;
}

function resultsPathOf(scenario: Scenario, startedAt: Date, segment?: LoadShare): string {
  // Segment parts carry their segment in the default name, so parts written side by side never collide.
  const part = segment && segment.count > 1 ? `_segment-${segment.index}-of-${segment.count}` : '';
  return scenario.output.file ?? join(scenario.output.dir, resultsFileName(scenario.name + part, startedAt));
}

async function finish(results: Results, scenario: Scenario, secrets: SecretRegistry): Promise<RunResult> {
  results.endedAt = new Date().toISOString();
  const perText = perTextResults(results);
  if (perText) results.perText = perText;
  if (scenario.targets?.length) results.targets = judgeTargets(results, scenario.targets);
  if (!scenario.output.write) return { results, secrets };
  const path = resultsPathOf(scenario, new Date(results.startedAtEpochMs), results.segment);
  await writeResultsAtomic(path, results, secrets);
  return { results, path, secrets };
}

export function maxConcurrency(load: Load): number {
  if (load.mode === 'rate') return load.max_in_flight ?? 1024;
  return load.mode === 'concurrency' ? load.concurrency : 1;
}

/** Runs one phase of the current load point, on this thread or across worker threads. */
export type PhaseRunner = (phase: PhaseName, bounds: PhaseBounds) => Promise<PhaseOutcome>;
export interface PhaseBounds {
  requests?: number;
  durationMs?: number;
}
export interface PhaseOutcome {
  result: PhaseResult;
  warnings: string[];
}

async function runLoadPoint(
  scenario: Scenario,
  { label, load, target }: LoadPoint,
  runPhaseOf: PhaseRunner,
  stop: AbortController,
  options: RunOptions,
  secrets: SecretRegistry,
  warnings: string[],
): Promise<LoadPointResult> {
  const point: LoadPointResult = { label, load: { ...load } as Record<string, unknown>, measure: undefined as unknown as PhaseResult };
  if (scenario.sweep) point.target = secrets.redact(target as unknown as Record<string, unknown>);
  const warm = scenario.phases.warmup;
  if ((warm.requests ?? 0) > 0 || (warm.duration ?? 0) > 0) {
    const w = await runPhaseOf('warmup', { requests: warm.requests || undefined, durationMs: warm.duration });
    point.warmup = { sent: w.result.counts.sent, ok: w.result.counts.ok, failed: w.result.counts.failed, durationMs: w.result.durationMs };
  }
  const m = await runPhaseOf('measure', { requests: load.requests, durationMs: load.duration });
  point.measure = m.result;
  warnings.push(...m.warnings.map((w) => `${label}: ${w}`));
  if (scenario.phases.cooldown > 0 && !stop.signal.aborted) {
    options.onProgress?.({ phase: 'cooldown', pointLabel: label, sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0, elapsedMs: 0, durationMs: scenario.phases.cooldown });
    await sleepMs(scenario.phases.cooldown, stop.signal);
  }
  return point;
}

/**
 * One phase on this thread. `slice.share` picks this thread's part of the load; worker threads
 * pass `slice.originMs`, the phase start every worker shares (converted to this thread's clock).
 */
export async function runPhase(
  phase: PhaseName,
  scenario: Scenario,
  load: Load,
  bounds: PhaseBounds,
  client: ProtocolClient,
  dataset: Dataset | undefined,
  tokenizer: TokenCounter | undefined,
  stop: AbortController,
  options: RunOptions,
  pointLabel: string,
  slice: { share: LoadShare; originMs?: number } = { share: WHOLE_LOAD },
): Promise<PhaseOutcome> {
  const openLoopMode = load.mode === 'rate';
  // Monitors take their "before" reading (a metrics scrape) before the first request leaves.
  const monitors = await startPhaseMonitors(options.phaseMonitors, { phase, pointLabel });
  const { share } = slice;
  if (slice.originMs !== undefined) await sleepMs(slice.originMs - nowMs(), stop.signal);
  const originMs = slice.originMs ?? nowMs();
  const recorder = new Recorder({
    family: client.family,
    phaseStartMs: originMs,
    openLoop: openLoopMode,
    slos: scenarioSlos(scenario.slo),
  });
  const health = startClientHealth();
  const counts = { sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0 };
  const emit = () =>
    options.onProgress?.({
      phase,
      pointLabel,
      sent: counts.sent,
      done: counts.done,
      ok: counts.ok,
      failed: counts.failed,
      inFlight: counts.inFlight,
      total: bounds.requests === undefined ? undefined : requestsOf(share, bounds.requests, load.mode === 'rate' ? undefined : load.mode === 'concurrency' ? load.concurrency : 1),
      durationMs: bounds.durationMs,
      elapsedMs: nowMs() - originMs,
    });
  const ticker = options.onProgress ? setInterval(emit, PROGRESS_INTERVAL_MS) : undefined;
  ticker?.unref();
  // Warmup and measure draw different per-request seeds, so warmup never replays measured payloads.
  const phaseSeed = mixSeed(load.seed, phase === 'warmup' ? 1 : 2);
  const pendingCounts = new Set<Promise<void>>();

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
    redactTimeline(t, options.secrets);
    counts.inFlight--;
    counts.done++;
    recorder.noteInFlight(counts.inFlight, t.endMs);
    if (t.outcome === 'ok') counts.ok++;
    else counts.failed++;
    // The tokenizer counts in its own process (measure/tokens.ts): the request is recorded when its
    // count comes, without holding up the next send; the phase waits for every count at its end.
    const counting = tokenizer && t.outcome === 'ok' && t.text !== undefined && !stop.signal.aborted ? tokenizer.count(t.text, t.textChars, stop.signal) : undefined;
    if (counting instanceof Promise) {
      const recorded = counting.then((c) => recorder.record(t, c));
      pendingCounts.add(recorded);
      void recorded.finally(() => pendingCounts.delete(recorded));
    } else recorder.record(t, counting);
    options.onRequest?.(t, phase, pointLabel);
    checkStopConditions(scenario, counts, stop);
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
    const workers = load.mode === 'concurrency' ? load.concurrency : 1;
    await closedLoop({ ...bounds, signal: stop.signal, originMs, workers, thinkTimeMs: load.think_time, share }, send);
  }
  await Promise.all(pendingCounts);
  if (ticker) clearInterval(ticker);
  emit();

  const sample = health.stop();
  const assessed = assessClientHealth({ eventLoopDelay: sample.eventLoopDelayMs, cpuPercent: sample.cpuPercent, lateSendShare: recorder.lateSendShare });
  const result = recorder.toPhaseResult(sample);
  const notes = await monitors.stop(result);
  return { result, warnings: phase === 'measure' ? [...assessed.warnings, ...notes] : [] };
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

function hostInfo(): Results['host'] {
  const list = cpus();
  return { hostname: hostname(), platform: platform(), arch: arch(), cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', node: process.version };
}

function gitSha(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

export { epochMsOf };

import { hostname, cpus, arch, platform } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { epochMsOf, sleepMs } from '../model/clock.js';
import type { Timeline } from '../model/timeline.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { loadTokenCounter } from '../measure/tokens.js';
import { probeTcp } from './probe.js';
import { createClient } from '../protocols/registry.js';
import type { ProtocolDebugSink } from '../protocols/types.js';
import { RecordsWriter, recordsPathFor } from '../results/records.js';
import type { LoadPointResult, PhaseResult, Results } from '../model/results.js';
import { resultsFileName, writeResultsAtomic } from '../results/writer.js';
import { loadDataset } from '../scenario/dataset.js';
import { resolveScenario, type LoadedScenario } from '../scenario/load-scenario.js';
import type { Scenario, ScenarioInput } from '../scenario/schema.js';
import { loadPoints, type LoadPoint } from '../scenario/load-points.js';
import { SecretRegistry } from '../scenario/secrets.js';
import { WHOLE_LOAD, type LoadShare } from '../load/share.js';
import { planWorkers, startWorkerPool, type WorkerPool } from './workers.js';
import { maxConcurrency, runPhase, type PhaseBounds, type PhaseOutcome, type PhaseSpec } from './phase.js';
import { TOOL_VERSION } from '../version.js';
import { scenarioMonitors, type PhaseMonitorFactory } from '../monitor/phase-monitor.js';
import { pointsPerText } from '../scenario/text-points.js';
import { perTextResults } from '../results/per-text.js';
import { judgeTargets } from '../conditions/targets.js';

export type { PhaseName, Progress };
export type { PhaseBounds, PhaseOutcome };
export { maxConcurrency };

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
}

export interface RunResult {
  results: Results;
  /** Where the results JSON was written (absent when output.write is false). */
  path?: string;
  /** Where per-request records were streamed (output.records). */
  recordsPath?: string;
  secrets: SecretRegistry;
}

/**
 * Runs a scenario: probe, then for each load point warmup → measure → cooldown, then
 * results (written atomically). Library first: the CLI is one caller of this.
 */
export async function run(input: ScenarioInput | LoadedScenario, options: RunOptions = {}): Promise<RunResult> {
  const loaded = 'scenario' in input && 'secrets' in input ? (input as LoadedScenario) : resolveScenario(input);
  const { scenario } = loaded;
  const secrets = loaded.secrets;
  if (options.secrets) for (const v of options.secrets.values()) secrets.add(v);
  options = { ...options, phaseMonitors: [...(options.phaseMonitors ?? []), ...scenarioMonitors(scenario)] };

  const dataset = scenario.dataset ? await loadDataset(scenario.dataset, scenario.load.seed) : undefined;
  if (!options.skipProbe && 'url' in scenario.target) await probeTcp(scenario.target.url);

  const started = new Date();
  const results: Results = {
    schemaVersion: 1,
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
  const records = scenario.output.records ? RecordsWriter.open(recordsPathFor(resultsPathOf(scenario, started, options.segment), scenario.output.records), scenario.output.records) : undefined;
  if (records) {
    const outer = options.onRequest;
    options = { ...options, onRequest: (t, phase, label) => (records.write(t, phase, label), outer?.(t, phase, label)) };
  }

  const points = pointsPerText(loadPoints(scenario, loaded.raw ?? {}), scenario, loaded.raw ?? {}, dataset);
  const workerPlan = await planWorkers(scenario, points, options);
  results.warnings.push(...workerPlan.warnings);
  if (options.segment && options.segment.count > 1) results.segment = { ...options.segment };
  if (workerPlan.workers > 1) results.workers = workerPlan.workers;
  const tokenizer = scenario.tokenizer === 'auto' ? await loadTokenCounter() : undefined;
  const stop = new AbortController();
  // Every in-flight request listens for the stop; there can be thousands.
  setMaxListeners(0, stop.signal);
  const onUserAbort = () => stop.abort(options.signal?.reason ?? 'interrupted');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) onUserAbort();

  let pool: WorkerPool | undefined;
  try {
    if (workerPlan.workers > 1) pool = await startWorkerPool(loaded, workerPlan.workers, stop);
    for (const [pointIndex, point] of points.entries()) {
      if (stop.signal.aborted) break;
      const client = await createClient(point.target, { secrets, maxConcurrency: maxConcurrency(point.load), debug: options.debug });
      const pointDataset = point.dataset ?? dataset;
      // The seam to worker threads: one phase runs here, or split across the pool and merged.
      const specOf = (phase: PhaseName, bounds: PhaseBounds): PhaseSpec => ({ phase, pointIndex, point, bounds, share: options.segment ?? WHOLE_LOAD, slo: scenario.slo, stop: scenario.stop });
      const phaseRunner: PhaseRunner = pool
        ? (phase, bounds) => pool!.runPhase(specOf(phase, bounds), options)
        : (phase, bounds) => runPhase(specOf(phase, bounds), { client, dataset: pointDataset, tokenizer, stop, ...options });
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
  await writeResultsAtomic(path, results);
  return { results, path, secrets };
}

/** Runs one phase of the current load point, on this thread or across worker threads. */
export type PhaseRunner = (phase: PhaseName, bounds: PhaseBounds) => Promise<PhaseOutcome>;

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

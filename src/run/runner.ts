import { hostname, cpus, arch, platform } from 'node:os';
import { join } from 'node:path';
import { ttsTeamResultsFile } from '../report/tts-team.js';
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { epochMsOf, sleepMs } from '../model/clock.js';
import { ANSWER_TEXT_KEEP_CHARS, keepAnswerText, type Timeline } from '../model/timeline.js';
import { loadTokenCounter } from '../measure/tokens.js';
import type { PhaseName, Progress } from '../model/progress.js';
import { loadTextTools, withWorkload } from '../workload/requests.js';
import { probeTcp } from './probe.js';
import { createClient, familiesOf } from '../protocols/registry.js';
import type { ProtocolDebugSink } from '../protocols/types.js';
import { redactCallSamples } from '../measure/call-samples.js';
import { RecordsWriter, recordsPathFor } from '../results/records.js';
import { RESULTS_SCHEMA_VERSION, type LoadPointResult, type PhaseResult, type Results } from '../model/results.js';
import { resultsFileName, writeResultsAtomic } from '../results/writer.js';
import { writeRedactedFile } from '../results/redacting-sinks.js';
import { loadDataset } from '../scenario/dataset.js';
import { resolveScenario, type LoadedScenario } from '../scenario/load-scenario.js';
import type { Scenario, ScenarioInput } from '../scenario/schema.js';
import { loadPoints, type LoadPoint } from '../scenario/load-points.js';
import { SecretRegistry } from '../scenario/secrets.js';
import { WHOLE_LOAD, type LoadShare } from '../load/share.js';
import { planWorkers, startWorkerPool, type WorkerPool } from './workers.js';
import { maxConcurrency, runPhase, type CallValues, type PhaseBounds, type PhaseOutcome, type PhaseSpec } from './phase.js';
import type { StepValues } from './requests.js';
import { TOOL_VERSION } from '../version.js';
import { judgePhaseHealth } from '../monitor/client-health.js';
import { ConfigError } from '../model/config-error.js';
import { preflightProblems } from './preflight.js';
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
  /** Keep each answer's whole text in its timeline (`--debug text`); by default the first ANSWER_TEXT_KEEP_CHARS characters. */
  keepFullText?: boolean;
  /**
   * Hold the first phase until this instant (epoch ms), so segments started seconds apart
   * (pods, machines) send their shares of one schedule together (`--start-at`).
   */
  startAtEpochMs?: number;
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
  // From here on options.secrets is the run's whole registry: phases redact each request's messages with it.
  options = { ...options, secrets, phaseMonitors: [...(options.phaseMonitors ?? []), ...scenarioMonitors(scenario)] };

  const dataset = scenario.dataset ? await loadDataset(scenario.dataset, scenario.load.seed) : undefined;
  // The tokenizer and the workload are config too: a bad tokenizer.json is reported before any request.
  const text = await loadTextTools(scenario, dataset);

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
    runId: runIdOf(new Date(options.startAtEpochMs ?? started.getTime())),
    points: [],
  };

  const points = pointsPerText(loadPoints(scenario, loaded.raw ?? {}), scenario, loaded.raw ?? {}, dataset);
  results.warnings.push(...assumedSampleRates(points, loaded.raw ?? {}));
  const preflight = preflightProblems(points, dataset);
  if (preflight.length) throw new ConfigError(preflight);
  if (!options.skipProbe) await probeTargets(points);
  // Records stream next to where the results will be written, under the same name; none when nothing is written.
  const records =
    scenario.output.records && scenario.output.write
      ? RecordsWriter.open(recordsPathFor(resultsPathOf(scenario, started, options.segment), scenario.output.records), scenario.output.records, points.flatMap((p) => familiesOf(p.target).slice(0, 1)), recordColumns(points), secrets)
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
  // Answers and prompts are counted in the tokenizer process, started now so its tables load while the run begins.
  const tokenizer = text.tokenizerSpec ? loadTokenCounter(text.tokenizerSpec) : undefined;
  const stop = new AbortController();
  // Every in-flight request listens for the stop; there can be thousands.
  setMaxListeners(0, stop.signal);
  const onUserAbort = () => stop.abort(options.signal?.reason ?? 'interrupted');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) onUserAbort();

  let pool: WorkerPool | undefined;
  // Each step's successful calls, in call order: what later steps' {{steps.<name>.<value>}} read.
  const stepValues: StepValues = {};
  try {
    // The tokenizer's tables load before the first request, so their CPU does not compete with it.
    await tokenizer?.ready(stop.signal);
    if (workerPlan.workers > 1) pool = await startWorkerPool(loaded, workerPlan.workers, stop);
    // --start-at holds the first measured phase (after its warmup) until that instant.
    let startAt = options.startAtEpochMs;
    for (const [pointIndex, planned] of points.entries()) {
      if (stop.signal.aborted) break;
      const counted = withCountFromSteps(planned, stepValues, results.warnings);
      if (!counted) continue;
      // In a segment, a step that follows an earlier step's calls follows this segment's own calls:
      // it runs all of them, at this segment's share of the load.
      const followsOwnRows = Boolean(counted.step?.uses.length && options.segment && options.segment.count > 1);
      const point = followsOwnRows ? { ...counted, load: segmentShareOf(counted.load, options.segment!.count) } : counted;
      const client = withWorkload(await createClient(point.target, { secrets, maxConcurrency: maxConcurrency(point.load), debug: options.debug }), text.workload);
      const pointDataset = point.dataset ?? dataset;
      const uses = point.step?.uses.length ? Object.fromEntries(point.step.uses.map((u) => [u, stepValues[u] ?? []])) : undefined;
      // The seam to worker threads: one phase runs here, or split across the pool and merged.
      const specOf = (phase: PhaseName, bounds: PhaseBounds, asPoint: LoadPoint): PhaseSpec => ({
        ...(phase === 'measure' && startAt !== undefined ? { originEpochMs: startAtOrigin(startAt, results.warnings, () => (startAt = undefined)) } : {}),
        phase,
        pointIndex,
        point: asPoint,
        bounds,
        share: followsOwnRows ? WHOLE_LOAD : (options.segment ?? WHOLE_LOAD),
        slo: scenario.slo,
        stop: scenario.stop,
        connections: maxConcurrency(point.load),
        runId: results.runId,
        stepValues: uses,
      });
      const phaseRunner: PhaseRunner = pool
        ? (phase, bounds, asPoint = point) => pool!.runPhase(specOf(phase, bounds, asPoint), options)
        : async (phase, bounds, asPoint = point) => {
            const outcome = await runPhase(specOf(phase, bounds, asPoint), { client, dataset: pointDataset, tokenizer, stop, ...options });
            // The phase's client health is judged once its result is whole.
            const health = judgePhaseHealth(outcome.result, { threads: 1, openLoop: asPoint.load.mode === 'rate' });
            return { ...outcome, warnings: phase === 'measure' ? [...health, ...outcome.warnings] : [] };
          };
      try {
        const { result, calls } = await runLoadPoint(point, phaseRunner, stop, options, secrets, results.warnings, Boolean(scenario.sweep));
        if (point.step) stepValues[point.step.name] = (calls ?? []).filter((c) => c.ok).sort((a, b) => a.index - b.index).map((c) => c.values);
        if (point.step?.setup) {
          const c = result.measure.counts;
          (results.setup ??= []).push({ step: point.step.name, sent: c.sent, ok: c.ok, failed: c.failed, durationMs: result.measure.durationMs });
          if (c.failed > 0) results.warnings.push(`setup step ${point.step.name}: ${c.failed} of ${c.sent} calls failed${c.errors[0] ? ` (${c.errors[0].message})` : ''}`);
        } else {
          if (point.text) result.text = point.text;
          results.points.push(result);
        }
      } finally {
        // A target's teardown() that throws costs nothing measured: the run keeps its results and says why.
        await client.close().catch((err: unknown) => results.warnings.push(`${point.label}: closing the target failed (${(err as Error)?.message ?? String(err)}); the measured results are kept`));
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
  for (const point of results.points) redactCallSamples(point.measure?.calls, (text) => secrets.redactText(text));
  const perText = perTextResults(results);
  if (perText) results.perText = perText;
  if (scenario.targets?.length) results.targets = judgeTargets(results, scenario.targets);
  if (!scenario.output.write) return { results, secrets };
  const path = resultsPathOf(scenario, new Date(results.startedAtEpochMs), results.segment);
  await writeResultsAtomic(path, results, secrets);
  const team = scenario.output.tts_layout ? ttsTeamResultsFile(results) : undefined;
  if (team) await writeRedactedFile(`${path.replace(/\.json$/i, '')}.tts.json`, `${JSON.stringify(team, null, 2)}\n`, secrets);
  return { results, path, secrets };
}

/** Runs one phase of the current load point, on this thread or across worker threads (`asPoint`: the point as this phase runs it). */
export type PhaseRunner = (phase: PhaseName, bounds: PhaseBounds, asPoint?: LoadPoint) => Promise<PhaseOutcome>;

/**
 * The first measured phase's origin under --start-at. A part that arrives late still takes the
 * shared origin, so its arrivals stay aligned with the other parts' (late sends show as queue delay).
 */
function startAtOrigin(startAtEpochMs: number, warnings: string[], used: () => void): number {
  used();
  const lateMs = Date.now() - startAtEpochMs;
  if (lateMs > 1000) warnings.push(`--start-at: this part was ready ${(lateMs / 1000).toFixed(1)} s after the shared start, so it began late (its first requests count as sent late)`);
  return startAtEpochMs;
}

/** `{{run_id}}`: the run's start in UTC, as the notebook's `strftime("%Y%m%d_%H%M%S")`. */
export function runIdOf(at: Date): string {
  return resultsFileName('', at).replace(/^results_|\.json$/g, '').replace(/^_/, '');
}

/** Every record column the points add (their `record:` lists), in order of first appearance. */
function recordColumns(points: LoadPoint[]): string[] {
  return [...new Set(points.flatMap((p) => p.calls?.record ?? []))];
}

/**
 * A step that follows an earlier one's calls and names no count of its own makes one call per
 * successful call of that step; with none, it is skipped with a warning saying why.
 */
function withCountFromSteps<P extends LoadPoint>(point: P, stepValues: StepValues, warnings: string[]): P | undefined {
  const step = point.step;
  if (!step?.uses.length) return point;
  const empty = step.uses.filter((u) => !stepValues[u]?.length);
  if (empty.length) {
    warnings.push(`step ${step.name} skipped: it uses the values of step ${empty.join(', ')}, which had no successful call`);
    return undefined;
  }
  if (!step.countFromUses) return point;
  return { ...point, load: { ...point.load, requests: stepValues[step.uses[0]!]!.length, duration: undefined } };
}

function segmentShareOf(load: LoadPoint['load'], count: number): LoadPoint['load'] {
  return load.mode === 'rate' ? { ...load, rate: load.rate === undefined ? undefined : load.rate / count } : { ...load, concurrency: Math.max(1, Math.ceil(load.concurrency / count)) };
}

/** The load a warmup runs at: sequential (one call at a time) when asked, else the point's own (a staged load's first stage). */
function warmupPoint(point: LoadPoint): LoadPoint {
  const { load } = point;
  if (point.phases.warmup.sequential) return { ...point, load: { ...load, mode: 'iterations', concurrency: 1, stages: undefined } };
  if (!load.stages) return point;
  const first = load.stages[0]!;
  return load.mode === 'rate'
    ? { ...point, load: { ...load, rate: load.rate ?? Math.max(first.rate ?? 1, 1e-3), stages: undefined } }
    : { ...point, load: { ...load, concurrency: load.concurrency > 1 ? load.concurrency : Math.max(1, first.concurrency ?? 1), stages: undefined } };
}

async function runLoadPoint(
  point: LoadPoint,
  runPhaseOf: PhaseRunner,
  stop: AbortController,
  options: RunOptions,
  secrets: SecretRegistry,
  warnings: string[],
  sweep: boolean,
): Promise<{ result: LoadPointResult; calls?: CallValues[] }> {
  const { label, load, target, phases } = point;
  const result: LoadPointResult = { label, load: { ...load } as Record<string, unknown>, measure: undefined as unknown as PhaseResult };
  if (sweep) result.target = secrets.redact(target as unknown as Record<string, unknown>);
  if (point.step) result.step = point.step.name;
  const warm = phases.warmup;
  if (!point.step?.setup && ((warm.requests ?? 0) > 0 || (warm.duration ?? 0) > 0)) {
    const w = await runPhaseOf('warmup', { requests: warm.requests || undefined, durationMs: warm.duration }, warmupPoint(point));
    result.warmup = { sent: w.result.counts.sent, ok: w.result.counts.ok, failed: w.result.counts.failed, durationMs: w.result.durationMs };
  }
  const m = await runPhaseOf('measure', { requests: load.requests, durationMs: load.duration });
  result.measure = m.result;
  if (m.stages) result.stages = m.stages;
  warnings.push(...m.warnings.map((w) => `${label}: ${w}`));
  if (phases.cooldown > 0 && !stop.signal.aborted) {
    options.onProgress?.({ phase: 'cooldown', pointLabel: label, sent: 0, done: 0, ok: 0, failed: 0, inFlight: 0, elapsedMs: 0, durationMs: phases.cooldown });
    await sleepMs(phases.cooldown, stop.signal);
  }
  return { result, calls: m.calls };
}

/**
 * Headerless PCM says nothing of its sample rate, and audio_seconds and rtf scale with it: when a
 * speech target's rate was not given, say which rate was assumed and how to set it.
 */
function assumedSampleRates(points: LoadPoint[], raw: Record<string, unknown>): string[] {
  const given = (t: unknown) => Boolean(t && typeof t === 'object' && 'sample_rate' in t);
  if (given(raw.target) || (Array.isArray(raw.steps) && raw.steps.some((s) => given((s as { target?: unknown })?.target)))) return [];
  for (const p of points) {
    const t = p.target as { protocol: string; response_format?: string; format?: string; sample_rate?: number };
    const pcm = (t.protocol === 'openai-speech' && t.response_format === 'pcm') || (t.protocol === 'audio-http' && t.format === 'pcm');
    if (pcm) return [`${p.label}: PCM audio carries no sample rate; assumed ${t.sample_rate} Hz (OpenAI's). audio_seconds and rtf scale with it: if the server speaks another rate, set --sample-rate (target.sample_rate)`];
  }
  return [];
}

/** Checks each distinct target address answers at all, before any load (fast failure with the URL and cause). */
async function probeTargets(points: LoadPoint[]): Promise<void> {
  const seen = new Set<string>();
  for (const p of points) {
    const url = 'url' in p.target ? p.target.url : undefined;
    if (!url) continue;
    let origin: string;
    try {
      origin = new URL(url).host;
    } catch {
      continue;
    }
    if (seen.has(origin)) continue;
    seen.add(origin);
    await probeTcp(url);
  }
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

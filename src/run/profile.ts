import { join } from 'node:path';
import type { LoadPointResult, ProfileResult, Results } from '../model/results.js';
import { resolveScenario, type LoadedScenario } from '../scenario/load-scenario.js';
import type { Profile } from '../scenario/schema.js';
import { resultsFileName, writeResultsAtomic } from '../results/writer.js';
import { run, type RunOptions, type RunResult } from './runner.js';

/**
 * GuideLLM-style profiles (scenario `profile`). `synchronous`: one request at a time.
 * `throughput`: as many in flight as `max_concurrency` allows (the most the server can do).
 * `sweep`: synchronous, then throughput, then `rates` open-loop rates evenly spaced strictly
 * between the two measured request rates, so latency against achieved throughput shows where
 * the server stops keeping up (the knee).
 */
/** The rates of a sweep: `count` evenly spaced strictly between the synchronous and the throughput rate. */
export function sweepRates(synchronousRate: number, throughputRate: number, count: number): number[] {
  const low = Math.min(synchronousRate, throughputRate);
  const high = Math.max(synchronousRate, throughputRate);
  // 3 significant digits, so labels read well and runs repeat.
  return Array.from({ length: count }, (_, i) => Number((low + ((high - low) * (i + 1)) / (count + 1)).toPrecision(3)));
}

/** The knee is where median latency has grown to this many times its synchronous (unloaded) value. */
export const KNEE_LATENCY_FACTOR = 2;

/**
 * The knee of a sweep: the highest offered rate whose median latency stayed within twice the
 * synchronous median (queueing has not yet taken over), and the first rate above it that did
 * not. Achieved rates are reported beside the offered ones; goodput per rate is in each point.
 */
export function findKnee(points: LoadPointResult[]): ProfileResult['knee'] {
  const base = points.find((p) => p.label === 'synchronous')?.measure.metrics.latency?.summary.p50;
  if (base === undefined) return undefined;
  const rated = points.filter((p) => p.load.mode === 'rate' && typeof p.load.rate === 'number' && p.measure.metrics.latency);
  let knee: LoadPointResult | undefined;
  let firstBehind: LoadPointResult | undefined;
  for (const p of [...rated].sort((a, b) => (a.load.rate as number) - (b.load.rate as number))) {
    if (p.measure.metrics.latency!.summary.p50 <= KNEE_LATENCY_FACTOR * base && !firstBehind) knee = p;
    else firstBehind ??= p;
  }
  const latencyOf = (p: LoadPointResult) => p.measure.metrics.latency!.summary.p50;
  const out: NonNullable<ProfileResult['knee']> = { synchronousLatencyP50Ms: base };
  if (knee) Object.assign(out, { label: knee.label, offeredRate: knee.load.rate as number, achievedRate: knee.measure.throughput.requestsPerSecond, latencyP50Ms: latencyOf(knee) });
  if (firstBehind) {
    Object.assign(out, {
      firstBehindLabel: firstBehind.label,
      firstBehindOfferedRate: firstBehind.load.rate as number,
      firstBehindAchievedRate: firstBehind.measure.throughput.requestsPerSecond,
      firstBehindLatencyP50Ms: latencyOf(firstBehind),
    });
  }
  return rated.length ? out : undefined;
}

/**
 * Runs a profile as a series of runs (each stage's load depends on what the stages before it
 * measured) and joins their points into one results file.
 */
export async function runProfile(loaded: LoadedScenario, profile: Profile, options: RunOptions = {}): Promise<RunResult> {
  const { raw, scenario } = loaded;
  const baseLoad = { ...((raw.load as Record<string, unknown>) ?? {}) };
  delete baseLoad.concurrency;
  delete baseLoad.rate;
  delete baseLoad.mode;
  const stage = async (label: string, load: Record<string, unknown>) => {
    const stageScenario = resolveScenario({ ...raw, load: { ...baseLoad, ...load }, sweep: undefined, profile: undefined, output: { ...((raw.output as object) ?? {}), write: false } });
    const result = await run(stageScenario, { ...options, secrets: loaded.secrets });
    for (const p of result.results.points) p.label = label;
    return result;
  };
  const stages: RunResult[] = [];
  const stopped = () => options.signal?.aborted || stages.some((s) => s.results.interrupted);
  if (profile.name !== 'throughput') stages.push(await stage('synchronous', { mode: 'concurrency', concurrency: 1 }));
  if (profile.name !== 'synchronous' && !stopped()) stages.push(await stage(`throughput (concurrency ${profile.max_concurrency})`, { mode: 'concurrency', concurrency: profile.max_concurrency }));
  const summary: ProfileResult = { name: profile.name };
  if (profile.name === 'sweep' && stages.length === 2 && !stopped()) {
    const [sync, thr] = stages.map((s) => s.results.points[0]!.measure.throughput.requestsPerSecond);
    summary.synchronousRate = sync!;
    summary.throughputRate = thr!;
    summary.rates = sweepRates(sync!, thr!, profile.rates);
    for (const rate of summary.rates) {
      if (stopped()) break;
      stages.push(await stage(`rate=${rate}/s ${scenario.load.arrival}`, { mode: 'rate', rate }));
    }
  }
  const results: Results = { ...stages[0]!.results, points: stages.flatMap((s) => s.results.points), warnings: stages.flatMap((s) => s.results.warnings) };
  results.scenario = loaded.secrets.redact(scenario as unknown as Record<string, unknown>);
  results.endedAt = stages.at(-1)!.results.endedAt;
  results.interrupted = stages.some((s) => s.results.interrupted) || Boolean(options.signal?.aborted);
  const reason = stages.find((s) => s.results.interruptReason)?.results.interruptReason;
  if (reason) results.interruptReason = reason;
  if (profile.name === 'sweep') {
    const knee = findKnee(results.points);
    if (knee) summary.knee = knee;
  }
  results.profile = summary;
  if (!scenario.output.write) return { results, secrets: loaded.secrets };
  const path = scenario.output.file ?? join(scenario.output.dir, resultsFileName(scenario.name, new Date(results.startedAtEpochMs)));
  await writeResultsAtomic(path, results);
  return { results, path, secrets: loaded.secrets };
}

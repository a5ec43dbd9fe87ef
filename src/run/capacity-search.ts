import type { LoadPointResult, PhaseResult, Results } from '../model/results.js';
import { run } from './runner.js';
import { resolveScenario } from '../scenario/load-scenario.js';
import type { SecretRegistry } from '../scenario/secrets.js';
import { formatMeasured, type Condition } from '../conditions/condition.js';
import { evaluateOnPhase, type Verdict } from '../conditions/evaluate.js';

/**
 * `inferbench capacity`: the highest concurrency (or rate) whose measured run meets every
 * condition (`p95(ttfc) < 400ms and p99(latency) < 750ms`). Exponential search from `start`
 * (doubling) until a probe fails, then binary search between the last pass and the first
 * failure until they are one `step` apart. Every probe is a full run: warmup, then enough
 * requests for the tightest percentile to rest on at least 20 requests beyond it
 * (20 / (1 − p): 400 for p95, 2000 for p99), so one slow request cannot decide a probe.
 */
export type CapacityAxis = 'concurrency' | 'rate';

export interface CapacityOptions {
  conditions: Condition[];
  over: CapacityAxis;
  start: number;
  max: number;
  step: number;
  /** A floor on measured requests per probe (the percentile rule may ask for more). */
  minRequests?: number;
  signal?: AbortSignal;
  secrets?: SecretRegistry;
  onProbe?: (probe: CapacityProbe) => void;
}

export interface CapacityProbe {
  load: number;
  requests: number;
  warmup: number;
  ok: number;
  failed: number;
  verdicts: Verdict[];
  met: boolean;
  /** Stopped by Ctrl+C before its measured requests were done: shown, never used for the answer. */
  interrupted?: boolean;
  /** What the probe measured, as a load point of the capacity results file. */
  point: LoadPointResult;
}

export interface CapacityResult {
  over: CapacityAxis;
  conditions: string[];
  requestsPerProbe: number;
  /** Every probe, by load. */
  probes: CapacityProbe[];
  /** The highest load that met every condition (absent when even `start` did not). */
  best?: CapacityProbe;
  /** The lowest load that failed (absent when every load up to `max` met them). */
  firstFailing?: CapacityProbe;
  answer: string;
  /** Stopped by Ctrl+C: the probes so far, the answer as far as they go. */
  interrupted: boolean;
  /** The first probe's results, for the metadata of the capacity results file (tool, host, scenario). */
  firstRun?: Results;
}

/** Measured requests a percentile needs: 20 beyond it (p95 → 400, p99 → 2000); means and extremes: 20. */
export function requestsForPercentiles(conditions: Condition[]): number {
  let n = 20;
  for (const c of conditions) {
    const p = c.aggregation?.kind === 'percentile' ? c.aggregation.p / 100 : undefined;
    if (p !== undefined && p < 1) n = Math.max(n, Math.ceil(20 / (1 - p) - 1e-9));
  }
  return n;
}

/** Whether one probe's measured phase meets every condition (a probe where nothing succeeded meets none). */
export function judgeProbe(conditions: readonly Condition[], phase: PhaseResult): { verdicts: Verdict[]; met: boolean } {
  const verdicts = conditions.map((c) => evaluateOnPhase(c, phase));
  return { verdicts, met: phase.counts.ok > 0 && verdicts.every((v) => v.status === 'pass') };
}

export async function findCapacity(raw: Record<string, unknown>, opts: CapacityOptions): Promise<CapacityResult> {
  const requests = Math.max(requestsForPercentiles(opts.conditions), opts.minRequests ?? 0);
  const probes = new Map<number, CapacityProbe>();
  const probe = async (load: number): Promise<CapacityProbe | undefined> => {
    const known = probes.get(load);
    if (known) return known;
    const warmup = Math.max(5, Math.ceil(load));
    const loadFields = opts.over === 'concurrency' ? { mode: 'concurrency', concurrency: load } : { mode: 'rate', rate: load };
    const scenario = {
      ...raw,
      load: { ...((raw.load as object) ?? {}), ...loadFields, requests, duration: undefined },
      phases: { ...((raw.phases as object) ?? {}), warmup: { requests: warmup } },
      sweep: undefined,
      output: { write: false },
    };
    const { results } = await run(resolveScenario(scenario), { signal: opts.signal, secrets: opts.secrets });
    firstRun ??= results;
    const point = results.points[0];
    // Stopped before the probe's warmup ended: nothing of it was measured.
    if (!point) return undefined;
    const m = point.measure;
    const p: CapacityProbe = { load, requests, warmup, ok: m.counts.ok, failed: m.counts.failed, ...judgeProbe(opts.conditions, m), point };
    if (results.interrupted) p.interrupted = true;
    probes.set(load, p);
    opts.onProbe?.(p);
    return p;
  };
  let firstRun: Results | undefined;

  let best: CapacityProbe | undefined;
  let firstFailing: CapacityProbe | undefined;
  for (let load = opts.start; ; load = Math.min(opts.max, load * 2)) {
    if (opts.signal?.aborted) break;
    const p = await probe(load);
    if (!p || p.interrupted) break;
    if (!p.met) {
      firstFailing = p;
      break;
    }
    best = p;
    if (load >= opts.max) break;
  }
  while (best && firstFailing && firstFailing.load - best.load > opts.step * (1 + 1e-9) && !opts.signal?.aborted) {
    const steps = Math.floor((firstFailing.load - best.load) / opts.step / 2);
    const mid = roundTo(best.load + Math.max(1, steps) * opts.step, opts.step);
    const p = await probe(mid);
    if (!p || p.interrupted) break;
    if (p.met) best = p;
    else firstFailing = p;
  }
  const result: CapacityResult = {
    over: opts.over,
    conditions: opts.conditions.map((c) => c.text),
    requestsPerProbe: requests,
    probes: [...probes.values()].sort((a, b) => a.load - b.load),
    answer: '',
    interrupted: Boolean(opts.signal?.aborted),
  };
  if (firstRun) result.firstRun = firstRun;
  if (best) result.best = best;
  if (firstFailing) result.firstFailing = firstFailing;
  result.answer = answerSentence(result);
  return result;
}

/**
 * The capacity search as one results file: each probe a load point (`concurrency=8`), with the
 * search's answer beside them, so `report` and `compare` read it like any run.
 */
export function capacityResults(r: CapacityResult, meta: { name: string; commandLine: string[]; startedAt: Date; scenario: Record<string, unknown> }): Results | undefined {
  if (!r.firstRun) return undefined;
  const summary = (p: CapacityProbe) => ({
    load: p.load,
    requests: p.requests,
    ok: p.ok,
    failed: p.failed,
    met: p.met,
    ...(p.interrupted ? { interrupted: true } : {}),
    verdicts: p.verdicts.map((v) => ({ condition: v.condition.text, met: v.status === 'pass', ...(v.value === undefined ? {} : { value: v.value }) })),
  });
  return {
    ...r.firstRun,
    name: meta.name,
    startedAt: meta.startedAt.toISOString(),
    startedAtEpochMs: meta.startedAt.getTime(),
    endedAt: new Date().toISOString(),
    commandLine: meta.commandLine,
    scenario: meta.scenario,
    interrupted: r.interrupted,
    ...(r.interrupted ? { interruptReason: 'interrupted by Ctrl+C' } : {}),
    points: r.probes.map((p) => ({ ...p.point, label: `${r.over}=${+p.load.toFixed(6)}` })),
    capacity: {
      over: r.over,
      conditions: r.conditions,
      requestsPerProbe: r.requestsPerProbe,
      answer: r.answer,
      ...(r.best ? { best: r.best.load } : {}),
      ...(r.firstFailing ? { firstFailing: r.firstFailing.load } : {}),
      probes: r.probes.map(summary),
    },
  };
}

/** "p95 ttfc", "rtf": how the answer sentence names a measured quantity. */
function subjectWords(c: Condition): string {
  return c.subject.replace(/^(\w+)\((\w+)\)$/, '$1 $2');
}

function roundTo(x: number, step: number): number {
  return Math.round(x / step) * step;
}

function loadWords(over: CapacityAxis, load: number): string {
  return over === 'concurrency' ? `${load} concurrent stream${load === 1 ? '' : 's'}` : `${+load.toFixed(6)} req/s`;
}

/** "5 concurrent streams meet the SLO; 6 do not: p95 ttfc 431 ms". */
export function answerSentence(r: CapacityResult): string {
  if (!r.best && !r.firstFailing) return r.interrupted ? 'stopped before any probe finished' : 'no probe ran';
  const why = (p: CapacityProbe) => {
    const failed = p.verdicts.filter((v) => v.status !== 'pass');
    if (p.ok === 0) return `no request succeeded (${p.failed} failed)`;
    return failed.map((v) => (v.value === undefined ? `${subjectWords(v.condition)} not measured` : `${subjectWords(v.condition)} ${formatMeasured(v.condition, v.value)}`)).join(', ');
  };
  if (!r.best) return `even ${loadWords(r.over, r.firstFailing!.load)} do${r.over === 'concurrency' && r.firstFailing!.load === 1 ? 'es' : ''} not meet the SLO: ${why(r.firstFailing!)}`;
  if (!r.firstFailing) return `${loadWords(r.over, r.best.load)} meet the SLO (the highest load tried; raise --max to search further)`;
  const next = r.over === 'concurrency' ? String(r.firstFailing.load) : `${+r.firstFailing.load.toFixed(6)} req/s`;
  return `${loadWords(r.over, r.best.load)} meet the SLO; ${next} do not: ${why(r.firstFailing)}`;
}

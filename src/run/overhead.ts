import { nowMs } from '../model/clock.js';
import { TimelineBuilder } from '../model/timeline.js';
import { bootstrapMedianDifference, bootstrapMedianRatio, mannWhitneyU, median } from '../stats/bootstrap.js';
import type { ArmMeasurements } from '../conditions/evaluate.js';
import { callLocal } from '../protocols/local/call-local.js';
import { availableModes, importLocalModule, type LocalMode, type LocalModelModule } from '../protocols/local/load-module.js';
import { collectGarbage, MemorySampler } from '../protocols/local/memory-sampler.js';
import { mixSeed, seededRng } from '../random.js';
import type { ModeStats, OverheadReport } from '../model/overhead.js';

export interface OverheadOptions {
  /** The module (path) or an already imported one. */
  module: string | LocalModelModule;
  input?: unknown;
  /** Measured calls per mode (default 30). */
  rounds?: number;
  /** Unmeasured calls per mode first (default 3). */
  warmup?: number;
  /** Modes to compare, baseline first (default: generate, stream, streamAsync — those the module has). */
  modes?: LocalMode[];
  /** Also time the baseline a second time as its own arm (A/A control): its interval shows the noise floor and should contain zero. */
  aa?: boolean;
  /** Bootstrap resamples and seed (deterministic for a given seed). */
  iterations?: number;
  seed?: number;
  confidence?: number;
  /** Ctrl+C: stops between calls; the report covers the calls made (at least two per mode). */
  signal?: AbortSignal;
}

export type { ModeStats, OverheadReport } from '../model/overhead.js';

/** Stopped before every mode had two measured calls: nothing to compare. */
export class OverheadInterruptedError extends Error {
  constructor(readonly calls: number) {
    super(`stopped after ${calls} measured call${calls === 1 ? '' : 's'}: too few to compare (every mode needs two)`);
    this.name = 'OverheadInterruptedError';
  }
}

interface Arm {
  name: string;
  mode: LocalMode;
  samplesMs: number[];
  tokens: number[];
  callbackMs: number[];
  heapPeak: number;
  rssPeak: number;
}

/**
 * generate() vs stream() vs streamAsync() of one module:
 * every mode runs the same input, interleaved A B C, C B A, ... so drift (thermal, other
 * processes) falls on all modes alike; warmup calls first; a collection before each call when
 * node runs with --expose-gc. Overhead = (median(mode) − median(baseline)) / median(baseline)
 * with a percentile-bootstrap interval of that ratio (per resample).
 */
function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The compared modes of a run of `opts` on a module: the baseline first, then (with --aa) its A/A twin, then the rest. */
export function overheadArmNames(mod: LocalModelModule, opts: Pick<OverheadOptions, 'modes' | 'aa'>): { modes: LocalMode[]; arms: string[] } {
  const has = availableModes(mod);
  const modes = opts.modes ?? (['generate', 'stream', 'streamAsync'] as LocalMode[]).filter((m) => has.includes(m));
  const missing = modes.filter((m) => !has.includes(m));
  if (missing.length) throw new Error(`the module does not export ${missing.join(', ')}; it exports ${has.join(', ')}`);
  if (modes.length < (opts.aa ? 1 : 2)) throw new Error(`overhead needs a baseline and at least one other mode (or --aa); the module exports ${has.join(', ')}`);
  const arms: string[] = [...modes];
  if (opts.aa) arms.splice(1, 0, `${modes[0]} (A/A)`);
  return { modes, arms };
}

export async function measureOverhead(opts: OverheadOptions): Promise<OverheadReport> {
  const mod = typeof opts.module === 'string' ? await importLocalModule(opts.module) : opts.module;
  const { modes } = overheadArmNames(mod, opts);
  const rounds = opts.rounds ?? 30;
  const warmup = opts.warmup ?? 3;
  const confidence = opts.confidence ?? 0.95;
  const input = opts.input ?? {};
  const arms: Arm[] = modes.map((mode) => ({ name: mode, mode, samplesMs: [], tokens: [], callbackMs: [], heapPeak: 0, rssPeak: 0 }));
  if (opts.aa) arms.splice(1, 0, { name: `${modes[0]} (A/A)`, mode: modes[0]!, samplesMs: [], tokens: [], callbackMs: [], heapPeak: 0, rssPeak: 0 });

  await mod.setup?.();
  let gcOn = false;
  let teardownWarning: string | undefined;
  try {
    const stopped = () => opts.signal?.aborted === true;
    for (let w = 0; w < warmup && !stopped(); w++) for (const arm of arms) if (!stopped()) await timedCall(mod, arm.mode, input);
    // A fresh seeded order every round: each mode follows every other mode equally often, so
    // carry-over effects (caches, JIT, the previous call's garbage) cannot favour one mode.
    // A fixed ABC/CBA alternation made a mode follow itself at round boundaries while its A/A
    // twin never did: a measured 0.02% A/A "difference" with busy-free fixtures.
    const orderRng = seededRng(mixSeed(opts.seed ?? 1, 0x0de5));
    for (let r = 0; r < rounds && !stopped(); r++) {
      const order = shuffled(arms, orderRng);
      for (const arm of order) {
        if (stopped()) break;
        gcOn = collectGarbage() || gcOn;
        const call = await timedCall(mod, arm.mode, input);
        arm.samplesMs.push(call.ms);
        if (call.tokens !== undefined) arm.tokens.push(call.tokens);
        arm.callbackMs.push(call.callbackMs);
        arm.heapPeak = Math.max(arm.heapPeak, call.heapPeak);
        arm.rssPeak = Math.max(arm.rssPeak, call.rssPeak);
      }
    }
  } finally {
    // A teardown() that throws must not cost the measured calls: it becomes a warning.
    try {
      await mod.teardown?.();
    } catch (err) {
      teardownWarning = `teardown() failed: ${(err as Error)?.message ?? String(err)}; the measured calls are kept`;
    }
  }

  const fewest = Math.min(...arms.map((a) => a.samplesMs.length));
  if (fewest < 2) throw new OverheadInterruptedError(arms.reduce((n, a) => n + a.samplesMs.length, 0));
  // generate() returning a string says nothing of its tokens; the same input streams the same count.
  const knownTokens = arms.find((a) => a.tokens.length > 0);
  const base = arms[0]!;
  const stats = arms.map((arm, i): ModeStats => {
    const med = median(arm.samplesMs);
    const tokens = arm.tokens.length ? median(arm.tokens) : knownTokens ? median(knownTokens.tokens) : undefined;
    const cb = median(arm.callbackMs);
    const s: ModeStats = {
      name: arm.name,
      mode: arm.mode,
      calls: arm.samplesMs.length,
      medianMs: med,
      samplesMs: arm.samplesMs,
      tokens,
      tokensPerSecond: tokens !== undefined ? (tokens * 1000) / med : undefined,
      msPerToken: tokens ? med / tokens : undefined,
      callbackMs: cb,
      callbackShare: med > 0 ? cb / med : 0,
      heapPeakBytes: arm.heapPeak,
      rssPeakBytes: arm.rssPeak,
    };
    if (i > 0) {
      const bootstrap = { iterations: opts.iterations ?? 4000, seed: opts.seed ?? 1, confidence };
      const d = bootstrapMedianDifference(base.samplesMs, arm.samplesMs, bootstrap);
      const ratio = bootstrapMedianRatio(base.samplesMs, arm.samplesMs, bootstrap);
      s.overhead = {
        percent: 100 * ratio.ratio,
        lowPercent: 100 * ratio.low,
        highPercent: 100 * ratio.high,
        pValue: mannWhitneyU(base.samplesMs, arm.samplesMs).pValue,
        significant: ratio.low > 0 || ratio.high < 0,
      };
      if (tokens) Object.assign(s.overhead, { perTokenMs: d.difference / tokens, perTokenLowMs: d.low / tokens, perTokenHighMs: d.high / tokens });
    }
    return s;
  });
  const report: OverheadReport = { module: typeof opts.module === 'string' ? opts.module : '(module object)', rounds, warmup, confidence, gcBetweenCalls: gcOn, modes: stats };
  if (opts.signal?.aborted) report.interruptedAfterRounds = fewest;
  if (teardownWarning) report.warnings = [teardownWarning];
  return report;
}

async function timedCall(mod: LocalModelModule, mode: LocalMode, input: unknown) {
  const tl = new TimelineBuilder(0);
  const memory = new MemorySampler().start();
  const start = nowMs();
  const result = await callLocal(mod, mode, input, tl);
  const end = nowMs();
  memory.stop();
  return { ms: end - start, tokens: result.tokens, callbackMs: result.callbackMs, heapPeak: memory.heapPeakBytes, rssPeak: memory.rssPeakBytes };
}

/** What conditions read of each compared mode (overhead --threshold). */
export function overheadArms(report: OverheadReport): ArmMeasurements[] {
  return report.modes.map((m) => {
    const arm: ArmMeasurements = { name: m.name, latencySamplesMs: m.samplesMs, heapPeakBytes: m.heapPeakBytes, rssPeakBytes: m.rssPeakBytes };
    if (m.overhead) arm.overhead = { ratio: m.overhead.percent / 100, low: m.overhead.lowPercent / 100, high: m.overhead.highPercent / 100, confidence: report.confidence };
    return arm;
  });
}

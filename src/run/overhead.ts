import { nowMs } from '../model/clock.js';
import { TimelineBuilder } from '../model/timeline.js';
import { bootstrapMedianDifference, mannWhitneyU, median } from '../stats/bootstrap.js';
import { callLocal } from '../protocols/local/call-local.js';
import { availableModes, importLocalModule, type LocalMode, type LocalModelModule } from '../protocols/local/load-module.js';
import { collectGarbage, MemorySampler } from '../protocols/local/memory-sampler.js';
import { mixSeed, seededRng } from '../random.js';

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

/** One mode's figures over the measured calls. */
export interface ModeStats {
  /** `generate`, `stream`, `streamAsync`, or `generate (A/A)`. */
  name: string;
  mode: LocalMode;
  calls: number;
  medianMs: number;
  /** Every call's wall time (ms), in call order. */
  samplesMs: number[];
  /** Median tokens per call (undefined when the mode does not say, e.g. generate() returning a string). */
  tokens?: number;
  tokensPerSecond?: number;
  msPerToken?: number;
  /** Median time inside the token callback per call, and its share of the call. */
  callbackMs: number;
  callbackShare: number;
  heapPeakBytes: number;
  rssPeakBytes: number;
  /** Against the baseline (absent on the baseline itself). */
  overhead?: {
    /** (median(mode) − median(baseline)) / median(baseline), in percent, with its bootstrap interval. */
    percent: number;
    lowPercent: number;
    highPercent: number;
    /** The same difference per token (ms), when tokens are known. */
    perTokenMs?: number;
    perTokenLowMs?: number;
    perTokenHighMs?: number;
    /** Mann-Whitney U two-sided p-value. */
    pValue: number;
    /** True when the interval excludes zero. */
    significant: boolean;
  };
}

export interface OverheadReport {
  module: string;
  rounds: number;
  warmup: number;
  confidence: number;
  /** Whether --expose-gc was on (a collection ran before every call). */
  gcBetweenCalls: boolean;
  modes: ModeStats[];
  /** Stopped by Ctrl+C after this many complete rounds (of `rounds`). */
  interruptedAfterRounds?: number;
}

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
 * generate() vs stream() vs streamAsync() of one module (METRICS.md "In-process targets"):
 * every mode runs the same input, interleaved A B C, C B A, ... so drift (thermal, other
 * processes) falls on all modes alike; warmup calls first; a collection before each call when
 * node runs with --expose-gc. Overhead = (median(mode) − median(baseline)) / median(baseline)
 * with a percentile-bootstrap interval.
 */
function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function measureOverhead(opts: OverheadOptions): Promise<OverheadReport> {
  const mod = typeof opts.module === 'string' ? await importLocalModule(opts.module) : opts.module;
  const has = availableModes(mod);
  const modes = opts.modes ?? (['generate', 'stream', 'streamAsync'] as LocalMode[]).filter((m) => has.includes(m));
  const missing = modes.filter((m) => !has.includes(m));
  if (missing.length) throw new Error(`the module does not export ${missing.join(', ')}; it exports ${has.join(', ')}`);
  if (modes.length < (opts.aa ? 1 : 2)) throw new Error(`overhead needs a baseline and at least one other mode (or --aa); the module exports ${has.join(', ')}`);
  const rounds = opts.rounds ?? 30;
  const warmup = opts.warmup ?? 3;
  const confidence = opts.confidence ?? 0.95;
  const input = opts.input ?? {};
  const arms: Arm[] = modes.map((mode) => ({ name: mode, mode, samplesMs: [], tokens: [], callbackMs: [], heapPeak: 0, rssPeak: 0 }));
  if (opts.aa) arms.splice(1, 0, { name: `${modes[0]} (A/A)`, mode: modes[0]!, samplesMs: [], tokens: [], callbackMs: [], heapPeak: 0, rssPeak: 0 });

  await mod.setup?.();
  let gcOn = false;
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
    await mod.teardown?.();
  }

  const fewest = Math.min(...arms.map((a) => a.samplesMs.length));
  if (fewest < 2) throw new OverheadInterruptedError(arms.reduce((n, a) => n + a.samplesMs.length, 0));
  // generate() returning a string says nothing of its tokens; the same input streams the same count.
  const knownTokens = arms.find((a) => a.tokens.length > 0);
  const base = arms[0]!;
  const baseMedian = median(base.samplesMs);
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
      const d = bootstrapMedianDifference(base.samplesMs, arm.samplesMs, { iterations: opts.iterations ?? 4000, seed: opts.seed ?? 1, confidence });
      s.overhead = {
        percent: (100 * d.difference) / baseMedian,
        lowPercent: (100 * d.low) / baseMedian,
        highPercent: (100 * d.high) / baseMedian,
        pValue: mannWhitneyU(base.samplesMs, arm.samplesMs).pValue,
        significant: d.changed,
      };
      if (tokens) Object.assign(s.overhead, { perTokenMs: d.difference / tokens, perTokenLowMs: d.low / tokens, perTokenHighMs: d.high / tokens });
    }
    return s;
  });
  const report: OverheadReport = { module: typeof opts.module === 'string' ? opts.module : '(module object)', rounds, warmup, confidence, gcBetweenCalls: gcOn, modes: stats };
  if (opts.signal?.aborted) report.interruptedAfterRounds = fewest;
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

/** A threshold on the overhead report, e.g. `overhead(stream)<5%`. */
export interface OverheadThreshold {
  text: string;
  mode: string;
  op: '<' | '<=';
  percent: number;
}

export function parseOverheadThreshold(text: string): OverheadThreshold {
  const m = /^\s*overhead\(\s*([\w ()/]+?)\s*\)\s*(<=|<)\s*(-?[\d.]+)\s*%\s*$/.exec(text);
  if (!m) throw new Error(`cannot read threshold ${JSON.stringify(text)}; write it like "overhead(stream)<5%"`);
  return { text: text.trim(), mode: m[1]!, op: m[2] as '<' | '<=', percent: Number(m[3]) };
}

/** Checks thresholds against the point estimates; each result says why. */
export function checkOverheadThresholds(report: OverheadReport, thresholds: OverheadThreshold[]): { threshold: OverheadThreshold; passed: boolean; message: string }[] {
  return thresholds.map((t) => {
    const s = report.modes.find((m) => m.name === t.mode);
    if (!s || !s.overhead) {
      return { threshold: t, passed: false, message: `${t.text}: no mode "${t.mode}" compared against the baseline (modes: ${report.modes.slice(1).map((m) => m.name).join(', ')})` };
    }
    const v = s.overhead.percent;
    const passed = t.op === '<' ? v < t.percent : v <= t.percent;
    return { threshold: t, passed, message: `${t.text}: ${passed ? 'passed' : 'FAILED'} (measured ${v.toFixed(2)}%, ${Math.round(report.confidence * 100)}% CI ${s.overhead.lowPercent.toFixed(2)}%..${s.overhead.highPercent.toFixed(2)}%)` };
  });
}

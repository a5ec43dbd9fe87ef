/** What `inferbench overhead` measured: one module's modes against its baseline (run/overhead.ts computes it). */

/** One mode's figures over the measured calls. */
export interface ModeStats {
  /** `generate`, `stream`, `streamAsync`, or `generate (A/A)`. */
  name: string;
  /** The local mode it called (protocols/local's LOCAL_MODES). */
  mode: string;
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
    /**
     * median(mode) / median(baseline) − 1, in percent, with the bootstrap interval of that ratio
     * (taken per resample, so it never falls below −100%).
     */
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
  /** Problems that cost no measurement (a teardown() that threw). */
  warnings?: string[];
  /** Stopped by Ctrl+C after this many complete rounds (of `rounds`). */
  interruptedAfterRounds?: number;
}


import type { MetricFamily, MetricUnit } from './metrics.js';
import type { OutcomeKind } from './timeline.js';

export type { MetricUnit };

/**
 * The results of one run, as written to `<name>_<YYYYMMDD_HHMMSS>.json`.
 * The JSON Schema in schema/results.schema.json is generated from results/schema.ts,
 * which must describe exactly this shape; tests validate real output against it.
 */
/** The results' shape version: 2 added each phase's metric family and family-specific throughput and series. */
export const RESULTS_SCHEMA_VERSION = 2;

export interface Results {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  tool: { name: 'inferbench'; version: string };
  name: string;
  startedAt: string; // ISO 8601
  startedAtEpochMs: number;
  endedAt: string;
  commandLine: string[];
  host: { hostname: string; platform: string; arch: string; cpus: number; cpuModel: string; node: string };
  gitSha?: string;
  /** The scenario as run, with every secret replaced by "[redacted]". */
  scenario: Record<string, unknown>;
  /** True when the run was stopped early (Ctrl+C, a stop condition, a fatal error); what was measured is kept. */
  interrupted: boolean;
  interruptReason?: string;
  warnings: string[];
  /** A part of a run split across machines (`--segment i/n`); `inferbench merge` combines all n parts. */
  segment?: { index: number; count: number };
  /** Worker threads that generated the load, when more than one. */
  workers?: number;
  /** Set on results that `inferbench merge` built from segment parts. */
  mergedFrom?: { parts: number; files: string[] };
  /** `{{run_id}}` of this run: its UTC start (or `--start-at`) as YYYYMMDD_HHMMSS, shared by every segment that starts together. */
  runId?: string;
  /** Setup steps (`steps[].setup`): run unmeasured; only their counts are kept. */
  setup?: SetupStepResult[];
  /** One entry per load point (a plain run has one; sweeps and steps have several). */
  points: LoadPointResult[];
  /** Speech runs over named texts (`--dataset tts-standard`): the seed's per-text layout, `results.<text_name>`. */
  perText?: PerTextResults;
  /** The scenario's targets table (metric, target, stretch), judged on each load point. */
  targets?: TargetResult[];
  /** Written by `inferbench capacity`: every probe is a load point; this is the search and its answer. */
  capacity?: CapacitySearchResult;
  /** `--profile`: the stages' measured rates, the sweep's rates, and where the server stopped keeping up. */
  profile?: ProfileResult;
}

export interface CapacitySearchResult {
  over: 'concurrency' | 'rate';
  conditions: string[];
  requestsPerProbe: number;
  answer: string;
  /** The highest load that met every condition. */
  best?: number;
  /** The lowest load that did not. */
  firstFailing?: number;
  probes: {
    load: number;
    requests: number;
    ok: number;
    failed: number;
    met: boolean;
    /** Stopped by Ctrl+C mid-probe: shown, not used for the answer. */
    interrupted?: boolean;
    verdicts: { condition: string; met: boolean; value?: number }[];
  }[];
}

export interface ProfileResult {
  name: 'sweep' | 'throughput' | 'synchronous';
  /** Requests/s the synchronous and throughput stages achieved (sweep). */
  synchronousRate?: number;
  throughputRate?: number;
  /** The open-loop rates run between them. */
  rates?: number[];
  /**
   * The highest offered rate whose median latency stayed within twice the synchronous median,
   * and the first rate above it that did not (absent: every rate stayed within, or none did).
   */
  knee?: {
    synchronousLatencyP50Ms: number;
    label?: string;
    offeredRate?: number;
    achievedRate?: number;
    latencyP50Ms?: number;
    firstBehindLabel?: string;
    firstBehindOfferedRate?: number;
    firstBehindAchievedRate?: number;
    firstBehindLatencyP50Ms?: number;
  };
}

export interface SetupStepResult {
  step: string;
  sent: number;
  ok: number;
  failed: number;
  durationMs: number;
}

export interface PerTextResults {
  results: Record<string, PerTextResult>;
  summary: { overall_mean_ms: number; overall_p95_ms: number; overall_rtf?: number; max_vram_gb?: number };
}

/** One text's results in the users' own field names (seeds/002). */
export interface PerTextResult {
  text_length_words: number;
  requests: number;
  /** Mean audio duration received. */
  audio_duration_ms?: number;
  latency: LatencyMs;
  ttfc?: LatencyMs;
  /** Mean latency / mean audio duration, as the seed computes it. */
  rtf?: number;
  /** Peak GPU memory used during the text's measure phase (nvidia-smi, all processes), when sampled. */
  vram_peak_gb?: number;
}

export interface LatencyMs {
  mean_ms: number;
  std_ms: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  min_ms: number;
  max_ms: number;
}

export interface TargetResult {
  metric: string;
  target: string;
  stretch?: string;
  points: { label: string; value?: number; measured?: string; status: 'stretch' | 'pass' | 'miss' | 'n/a' }[];
}

export interface LoadPointResult {
  /** Human label, e.g. "concurrency=8" or "rate=200/s poisson". */
  label: string;
  load: Record<string, unknown>;
  /** The point's target (redacted), when a sweep changed it. */
  target?: Record<string, unknown>;
  /** The dataset row this point benchmarked alone (`dataset.each`), e.g. a standard text. */
  text?: { name: string; words: number };
  /** The scenario step this point ran (`steps[].name`). */
  step?: string;
  /** Warmup is summarised by its counts only; its requests never enter the measured metrics. */
  warmup?: { sent: number; ok: number; failed: number; durationMs: number };
  /** The whole measure phase (every stage together, over time, for a staged load). */
  measure: PhaseResult;
  /** A staged load (`load.stages`, `spawn_rate`): each stage's requests (by when they started), kept apart. */
  stages?: StageResult[];
}

export interface StageResult {
  label: string;
  /** Where the stage starts, in ms after the measure phase began, and how long it lasts. */
  startOffsetMs: number;
  durationMs: number;
  /** Users (closed loop) or requests per second (open loop) at the stage's start and end. */
  from: number;
  to: number;
  unit: 'users' | 'requests/s';
  measure: PhaseResult;
}

export interface PhaseResult {
  /** What the target answers with, so which metrics this phase can have (text: tokens; audio: samples; frames; unary). */
  family: MetricFamily;
  /** Answers arrived as streams of events (stream-shaped metrics exist only then). */
  streamed: boolean;
  /** An in-process target (callback time and memory peaks). */
  inProcess?: boolean;
  /** When the phase began; per-second series index 0 starts here. */
  startedAtEpochMs: number;
  /** The first request's start, in ms after startedAtEpochMs (so merged phases recover their span exactly). */
  firstStartOffsetMs: number;
  /** First start to last end in the phase (`duration`, model/metrics.ts). */
  durationMs: number;
  counts: PhaseCounts;
  /** One entry per metric observed at least once, keyed by metric name (`latency`, `ttft`, `itl`, ...). */
  metrics: Record<string, MetricResult>;
  throughput: {
    requestsPerSecond: number;
    /** Text: output tokens of ok requests / duration. */
    outputTokensPerSecond?: number;
    /** Text: the busiest whole second of output tokens, each token placed by its arrival. */
    peakOutputTokensPerSecond?: number;
    /** Frames (`fps`, model/metrics.ts): frames whose answers arrived / duration. */
    framesPerSecond?: number;
    /** Frames: the busiest whole second, each frame placed by its answer's arrival. */
    peakFramesPerSecond?: number;
    /** Text: input (prompt) tokens of ok requests / duration; present when input tokens were counted. */
    inputTokensPerSecond?: number;
    /** Text: (input + output tokens of ok requests) / duration; present when input tokens were counted. */
    totalTokensPerSecond?: number;
  };
  concurrency: { mean: number; max: number };
  /** Text only: output token totals and where they came from. */
  tokens?: TokenAccounting;
  /** Per-second series, index 0 = the phase's first second. */
  series: PerSecondSeries;
  /** Phases up to 5 s: the same counts in 100 ms buckets, so short runs have a shape over time. */
  subSecond?: SubSecondSeries;
  /** The slowest ok calls and the first failed ones, with redacted previews (the report's table). */
  calls?: CallSamples;
  clientHealth: ClientHealth;
  /** Speech: audio received by ok requests, and audio seconds per wall second across concurrent streams. */
  audio?: AudioThroughput;
  /** `--slo`: requests meeting every SLO per second, and the share meeting each. */
  goodput?: GoodputResult;
  /** `--gpu`: nvidia-smi samples taken during the phase. */
  gpu?: GpuPhaseStats;
  /** `--server-metrics`: the target's Prometheus metrics scraped before, during and after the phase. */
  serverMetrics?: ServerMetricsPhase;
}

export interface AudioThroughput {
  /** Ok requests that carried audio. */
  requests: number;
  totalSeconds: number;
  /** totalSeconds / phase duration. */
  audioSecondsPerSecond: number;
  /** Requests with at least one stall. */
  stalledRequests: number;
}

export interface GoodputResult {
  /** Requests judged (every completed request; a failed one meets no SLO). */
  requests: number;
  /** Requests meeting every SLO. */
  metAll: number;
  share: number;
  requestsPerSecond: number;
  slos: { slo: string; met: number; share: number }[];
}

export interface GpuPhaseStats {
  intervalMs: number;
  samples: number;
  devices: {
    index: number;
    name: string;
    memoryTotalMiB: number;
    memoryUsedMiB: { mean: number; max: number };
    utilizationPercent: { mean: number; max: number };
  }[];
}

export interface ServerMetricsPhase {
  url: string;
  scrapes: number;
  failedScrapes: number;
  /** Counters (and histogram/summary counts): value before and after the phase, summed over label sets. */
  counters: Record<string, { before: number; after: number; delta: number; perSecond: number }>;
  /** Gauges over the scrapes during the phase, summed over label sets. */
  gauges: Record<string, { min: number; mean: number; max: number; last: number }>;
}

export interface PhaseCounts {
  /** Requests started. */
  sent: number;
  /** Requests that ended (any outcome). */
  completed: number;
  ok: number;
  failed: number;
  /** Open loop with a cap on in-flight requests: arrivals that could not start. */
  dropped: number;
  byOutcome: Record<OutcomeKind, number>;
  /** Keyed by HTTP status or gRPC code ("200", "500", "UNAVAILABLE"); requests with no status are absent. */
  byStatus: Record<string, number>;
  /** Up to 10 distinct error messages with their counts. */
  errors: { message: string; count: number }[];
}


export interface MetricResult {
  unit: MetricUnit;
  summary: Summary;
  /** Base64 HDR histogram (hdr-histogram-js encodeIntoCompressedBase64) of value × `scale`, so it merges exactly. */
  histogram: string;
  /** Multiplier applied before recording into the integer histogram (1000 for ms → µs). */
  scale: number;
}

export interface Summary {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

export interface TokenAccounting {
  /** Where `output_tokens` came from: the server's usage field, the client tokenizer, or counting content events. */
  source: 'usage' | 'tokenizer' | 'events' | 'mixed' | 'none';
  totalOutputTokens: number;
  /** Totals from each source that was available, so a user can compare them. */
  usageTotal?: number;
  tokenizerTotal?: number;
  /** The tokenizer reads at most this many characters of an answer... */
  tokenizerCapChars?: number;
  /** ...and this many answers were longer: their counts are extrapolated from the start by length. */
  tokenizerEstimatedAnswers?: number;
  eventsTotal?: number;
  /** Input (prompt) tokens of ok requests, when any were counted. */
  input?: InputTokenAccounting;
}

export interface InputTokenAccounting {
  /** Where `input_tokens` came from: the server's usage (prompt tokens) or the client tokenizer over the prompt as sent. */
  source: 'usage' | 'tokenizer' | 'mixed';
  totalInputTokens: number;
  usageTotal?: number;
  tokenizerTotal?: number;
}

export interface PerSecondSeries {
  sent: number[];
  ok: number[];
  errors: number[];
  /** Text: output tokens by the second they arrived in (a request's count spread over its text events). */
  outputTokens?: number[];
  /** Frames: frames by the second their answers arrived in. */
  frames?: number[];
  /** Audio: seconds of audio by the second they arrived in. */
  audioSeconds?: number[];
  inFlightMax: number[];
  /** Per-second latency percentiles (ms) of requests that ended in that second; null where none ended. */
  latencyP50: (number | null)[];
  latencyP99: (number | null)[];
  /** Per-second latency histograms (base64 HDR, 2 significant digits, µs) behind latencyP50/P99, so they merge exactly; null where none ended. */
  latencyHistograms: (string | null)[];
  /** Streams: TTFT percentiles (ms) of first tokens that arrived in that second, and their histograms (as latencyHistograms). */
  ttftP50?: (number | null)[];
  ttftP99?: (number | null)[];
  ttftHistograms?: (string | null)[];
  /** Streams: inter-token gaps by the second their later token arrived. */
  itlP50?: (number | null)[];
  itlP99?: (number | null)[];
  itlHistograms?: (string | null)[];
}

export interface SubSecondSeries {
  bucketMs: number;
  sent: number[];
  ok: number[];
  errors: number[];
  /** Text: output tokens of the requests that ended in each bucket. */
  outputTokens?: number[];
  /** Exact latency percentiles (ms) of the ok requests that ended in each bucket; absent when merged from parts. */
  latencyP50?: (number | null)[];
  latencyP99?: (number | null)[];
}

export interface CallSamples {
  /** Up to 10 ok calls with the highest latency, slowest first. */
  slowest: CallSample[];
  /** The first (up to) 10 failed calls, in start order. */
  failed: CallSample[];
  /** Failed calls in the phase. */
  failedCount: number;
}

export interface CallSample {
  /** Call index within its phase. */
  index: number;
  /** Start (intended start in open loop) after the phase began, ms. */
  startOffsetMs: number;
  /** Latency of an ok call; end − start of a failed one. */
  latencyMs: number;
  ttftMs?: number;
  outputTokens?: number;
  outcome: OutcomeKind;
  status?: string;
  error?: string;
  /** The answer's first characters (ok) or the error body's (failed), secrets replaced. */
  preview?: string;
}

export interface ClientHealth {
  /** Timer lateness of the client's event loop (the busiest load thread's); results before threadBusyShare existed include the 10 ms sampling interval. */
  eventLoopDelayMs: { mean: number; p99: number; max: number };
  /** This process's CPU time over wall time, percent of one core (every thread). */
  cpuPercent: number;
  /** Share of open-loop requests sent later than `lateSendThresholdMs` after their intended start (0 for closed loops). */
  lateSendShare: number;
  /** True only when this process was the limit (see `causes`); a busy machine alone is `machineBusy`. */
  clientBound: boolean;
  /** The busiest load thread's event-loop utilization (0..1): near 1, it had no slack. */
  threadBusyShare?: number;
  /** Lateness that counts as a late send: one inter-arrival gap, at least 1 ms (older results: 1 ms). */
  lateSendThresholdMs?: number;
  /** The machine during the phase. */
  machine?: MachineLoad;
  /** Other processes kept the machine busy (steal, their CPU, load average above the cores). */
  machineBusy?: boolean;
  /** Why the verdict is what it is. */
  causes?: ClientHealthCause[];
}

/** `client-cpu`: a load thread had no slack; `client-starved`: it had work but other processes held its CPU; `event-loop-stalls`, `late-sends`: its own work delayed timings or sends; `machine-busy`: other processes kept the machine busy. */
export type ClientHealthCause = 'client-cpu' | 'client-starved' | 'event-loop-stalls' | 'late-sends' | 'machine-busy';

export interface MachineLoad {
  cores: number;
  loadAverage1m: number;
  /** Share of all cores' time not idle during the phase (Linux). */
  busyShare?: number;
  /** Share of all cores' time stolen by the hypervisor (Linux). */
  stealShare?: number;
}

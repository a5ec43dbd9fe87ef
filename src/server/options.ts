import { OptionFormatError, toDistribution, type Distribution, type DistributionInput } from './distributions.js';

/** What a caller may set when starting the reference server; every field has a default. */
export interface ReferenceServerOptions {
  /** Interface to bind; loopback by default so a test server is never reachable from outside. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Seeds every random choice (timings, faults, text); same seed and request order ⇒ same plans. */
  seed: number;
  /** Model name reported by /v1/models and in answers when the request names none. */
  model: string;
  /** Time from receiving the request to writing the first content token. */
  ttftMs: DistributionInput;
  /** Gap between consecutive tokens, drawn once per token. */
  itlMs: DistributionInput;
  /** Tokens the model "wants" to generate; `max_tokens` caps it, `ignore_eos` forces it. */
  outputTokens: DistributionInput;
  /** Tokens per stream event, for servers that pack several tokens per event (multi-step or speculative decoding). */
  tokensPerChunk: number;
  /**
   * When the role chunk (a stream's opening events) leaves. vLLM sends it with the first token
   * (`first-token`, the default); `headers` sends it at once, so `first_event` and `ttft` differ
   * and a client that stamps TTFT on the role chunk is caught.
   */
  roleChunkAt: 'first-token' | 'headers';
  /** Extra TTFT per other request in flight at arrival: a crude queue, for capacity tests. */
  ttftPerInFlightMs: number;
  /** Delay before /echo answers. */
  echoDelayMs: DistributionInput;
  /** Share of requests answered with `errorStatus` before any streaming. */
  errorRate: number;
  errorStatus: number;
  /** Share of streams whose connection is destroyed after some tokens. */
  midStreamCloseRate: number;
  /** Share of streams that send vLLM's mid-stream error event and [DONE] after some tokens. */
  midStreamErrorRate: number;
  /** Share of streams that stop writing after some tokens and hold the connection open. */
  stallRate: number;
  /** Ground-truth records kept (oldest dropped first), so memory stays bounded on long runs. */
  maxGroundTruthRecords: number;
  /** Gradio major version emulated: 4 serves the API at the root, 5 under `/gradio_api`. */
  gradioVersion: 4 | 5;
  /** Idle time before a keep-alive: Gradio's heartbeat event and TGI's `:` comment (15 s on real servers). */
  heartbeatMs: number;
  /** TGI before 2.1 (axum 0.6) writes `data:` with no space after the colon. */
  tgiLegacyFraming: boolean;
  /** Speech: generation time / audio time of each chunk after the first (below 1 = faster than real time; above 1 stalls playback). */
  ttsRealTimeFactor: number;
  /** Speech: audio per chunk, in ms of audio. */
  ttsChunkMs: number;
  /** Speech: shift every chunk boundary by one byte, so chunks end mid-sample. */
  ttsSplitSamples: boolean;
  /** Speech: audio per word of input, in ms (at speed 1). */
  ttsMsPerWord: number;
  /** Speech: sample rate of the generated 16-bit mono audio. */
  ttsSampleRate: number;
  /** How `usage.prompt_tokens` counts a prompt: `o200k_base` (gpt-tokenizer, a client's default) or `words` (whitespace words). */
  promptTokenizer: 'o200k_base' | 'words';
}

/** Options after defaults and validation: every distribution is a {@link Distribution} value. */
export interface ServerSettings
  extends Omit<ReferenceServerOptions, 'ttftMs' | 'itlMs' | 'outputTokens' | 'echoDelayMs'> {
  ttftMs: Distribution;
  itlMs: Distribution;
  outputTokens: Distribution;
  echoDelayMs: Distribution;
}

export const DEFAULT_SERVER_OPTIONS: ReferenceServerOptions = {
  host: '127.0.0.1',
  port: 0,
  seed: 1,
  model: 'inferbench/reference',
  ttftMs: 200,
  itlMs: 20,
  outputTokens: 64,
  tokensPerChunk: 1,
  roleChunkAt: 'first-token',
  ttftPerInFlightMs: 0,
  echoDelayMs: 0,
  errorRate: 0,
  errorStatus: 500,
  midStreamCloseRate: 0,
  midStreamErrorRate: 0,
  stallRate: 0,
  maxGroundTruthRecords: 100_000,
  gradioVersion: 5,
  heartbeatMs: 15_000,
  tgiLegacyFraming: false,
  ttsRealTimeFactor: 0.25,
  ttsChunkMs: 40,
  ttsSplitSamples: false,
  ttsMsPerWord: 350,
  ttsSampleRate: 24_000,
  promptTokenizer: 'o200k_base',
};

/** Every problem with a set of options at once (k6's Validate style), each naming the option and the fix. */
export class InvalidServerOptionsError extends Error {
  override name = 'InvalidServerOptionsError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

type OptionKey = keyof ReferenceServerOptions;

/**
 * Fills defaults and validates. `labelOf` names an option the way the user wrote it
 * (`--error-rate` on the CLI, `errorRate` in code), so messages point at their input.
 */
export function resolveServerOptions(
  options: Partial<ReferenceServerOptions> = {},
  labelOf: (key: OptionKey) => string = (key) => key,
): ServerSettings {
  const merged: ReferenceServerOptions = { ...DEFAULT_SERVER_OPTIONS };
  for (const [key, value] of Object.entries(options) as [OptionKey, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  const distribution = (key: 'ttftMs' | 'itlMs' | 'outputTokens' | 'echoDelayMs'): Distribution => {
    try {
      return toDistribution(merged[key], key === 'outputTokens' ? 'tokens' : 'ms', labelOf(key));
    } catch (error) {
      if (!(error instanceof OptionFormatError)) throw error;
      problems.push(error.message);
      return { kind: 'fixed', value: 0 };
    }
  };
  const settings: ServerSettings = {
    ...merged,
    ttftMs: distribution('ttftMs'),
    itlMs: distribution('itlMs'),
    outputTokens: distribution('outputTokens'),
    echoDelayMs: distribution('echoDelayMs'),
  };

  const check = (ok: boolean, key: OptionKey, need: string) => {
    if (!ok) problems.push(`${labelOf(key)}: ${JSON.stringify(merged[key])} is invalid; ${need}`);
  };
  const isInteger = (value: unknown, least: number, most = Number.MAX_SAFE_INTEGER) =>
    Number.isInteger(value) && (value as number) >= least && (value as number) <= most;
  const isRate = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1;

  check(typeof settings.host === 'string' && settings.host.length > 0, 'host', 'use an interface address such as 127.0.0.1');
  check(isInteger(settings.port, 0, 65535), 'port', 'use a whole number from 0 to 65535 (0 picks a free port)');
  check(isInteger(settings.seed, 0), 'seed', 'use a whole number >= 0');
  check(typeof settings.model === 'string' && settings.model.length > 0, 'model', 'use a non-empty model name');
  check(isInteger(settings.tokensPerChunk, 1), 'tokensPerChunk', 'use a whole number >= 1');
  check(settings.roleChunkAt === 'first-token' || settings.roleChunkAt === 'headers', 'roleChunkAt', 'use first-token or headers');
  check(
    typeof settings.ttftPerInFlightMs === 'number' && settings.ttftPerInFlightMs >= 0,
    'ttftPerInFlightMs',
    'use a duration >= 0',
  );
  check(isInteger(settings.errorStatus, 400, 599), 'errorStatus', 'use an HTTP error status from 400 to 599');
  check(isInteger(settings.maxGroundTruthRecords, 1), 'maxGroundTruthRecords', 'use a whole number >= 1');
  check(settings.gradioVersion === 4 || settings.gradioVersion === 5, 'gradioVersion', 'use 4 (routes at the root) or 5 (routes under /gradio_api)');
  check(typeof settings.heartbeatMs === 'number' && settings.heartbeatMs > 0, 'heartbeatMs', 'use a duration > 0, e.g. 15s');
  check(typeof settings.tgiLegacyFraming === 'boolean', 'tgiLegacyFraming', 'use true (TGI < 2.1, "data:") or false ("data: ")');
  check(typeof settings.ttsRealTimeFactor === 'number' && settings.ttsRealTimeFactor >= 0, 'ttsRealTimeFactor', 'use a number >= 0 (0.5 = twice as fast as real time)');
  check(typeof settings.ttsChunkMs === 'number' && settings.ttsChunkMs >= 1, 'ttsChunkMs', 'use a duration >= 1ms of audio per chunk');
  check(typeof settings.ttsMsPerWord === 'number' && settings.ttsMsPerWord > 0, 'ttsMsPerWord', 'use a duration > 0 of audio per word');
  check(settings.promptTokenizer === 'o200k_base' || settings.promptTokenizer === 'words', 'promptTokenizer', 'use o200k_base or words');
  check(isInteger(settings.ttsSampleRate, 1000, 384_000), 'ttsSampleRate', 'use a sample rate in Hz from 1000 to 384000');
  const rateKeys = ['errorRate', 'midStreamCloseRate', 'midStreamErrorRate', 'stallRate'] as const;
  for (const key of rateKeys) check(isRate(settings[key]), key, 'use a fraction from 0 to 1 (0.05 = 5% of requests)');
  // Each request gets at most one fault, so the shares must fit in one request's worth of probability.
  const totalRate = rateKeys.reduce((sum, key) => sum + (isRate(settings[key]) ? settings[key] : 0), 0);
  if (totalRate > 1 + 1e-9) {
    problems.push(`${rateKeys.map(labelOf).join(' + ')} add up to ${+totalRate.toFixed(6)}; a request gets at most one fault, so keep the sum <= 1`);
  }
  if (problems.length) throw new InvalidServerOptionsError(problems);
  return settings;
}

import { OptionFormatError, parseDurationFlag, toDistribution, type DistributionInput } from './distributions.js';
import { InvalidServerOptionsError, resolveServerOptions, type ReferenceServerOptions, type ServerSettings } from './options.js';

/**
 * What `serve()` takes, named like `inferbench serve`'s flags (`--ttft` → `ttft`,
 * `--max-records` → `maxRecords`). Values are written as on the command line
 * (`'lognormal:80ms:0.3'`, `'5%'`, `'15s'`) or as numbers (durations in ms, rates as shares).
 */
export interface ServeOptions {
  /** 0 picks a free port (the default for `serve()`). */
  port?: number | string;
  /** Interface to bind; loopback by default. */
  host?: string;
  model?: string;
  /** Seeds every random choice (timings, faults, text). */
  seed?: number | string;
  /** Time to first token: `200ms`, `lognormal:200ms:0.25`, `uniform:10ms:30ms`, or a number of ms. */
  ttft?: DistributionInput;
  /** Gap between tokens, drawn per token. */
  itl?: DistributionInput;
  /** Output tokens per answer (`max_tokens` caps it): `64`, `uniform:32:128`, ... */
  tokens?: DistributionInput;
  tokensPerChunk?: number | string;
  /** When the role chunk leaves: with the first token (as vLLM) or with the headers. */
  roleChunk?: 'first-token' | 'headers';
  /** Extra TTFT per other request in flight, e.g. `5ms`. */
  ttftPerInFlight?: number | string;
  echoDelay?: DistributionInput;
  /** Share of requests answered with `errorStatus`: 0.05 or `'5%'`. */
  errorRate?: number | string;
  errorStatus?: number | string;
  midStreamCloseRate?: number | string;
  midStreamErrorRate?: number | string;
  stallRate?: number | string;
  /** Ground-truth records kept (oldest dropped first). */
  maxRecords?: number | string;
  gradioVersion?: 4 | 5 | '4' | '5';
  heartbeat?: number | string;
  tgiLegacyFraming?: boolean;
  ttsRtf?: number | string;
  ttsChunk?: number | string;
  ttsSplitSamples?: boolean;
  ttsMsPerWord?: number | string;
  ttsSampleRate?: number | string;
  /** How `usage.prompt_tokens` counts a prompt: `o200k_base` (as a client counts by default) or `words`. */
  promptTokenizer?: 'o200k_base' | 'words';
}

/** The option names `serve()` took before they matched the CLI flags; still accepted. */
export type LegacyServeOptions = Partial<Pick<ReferenceServerOptions, (typeof LEGACY_KEYS)[number]>>;
const LEGACY_KEYS = ['ttftMs', 'itlMs', 'outputTokens', 'roleChunkAt', 'ttftPerInFlightMs', 'echoDelayMs', 'maxGroundTruthRecords', 'heartbeatMs', 'ttsRealTimeFactor', 'ttsChunkMs'] as const;

const RATE_HELP = 'use a fraction such as 0.05 or a percentage such as 5%';
const WHOLE_NUMBER_HELP = 'use a whole number';

/** Each setting's flag, so every message names what the user typed. */
export const FLAG_OF: Record<keyof ReferenceServerOptions, string> = {
  host: '--host',
  port: '--port',
  seed: '--seed',
  model: '--model',
  ttftMs: '--ttft',
  itlMs: '--itl',
  outputTokens: '--tokens',
  tokensPerChunk: '--tokens-per-chunk',
  roleChunkAt: '--role-chunk',
  ttftPerInFlightMs: '--ttft-per-in-flight',
  echoDelayMs: '--echo-delay',
  errorRate: '--error-rate',
  errorStatus: '--error-status',
  midStreamCloseRate: '--mid-stream-close-rate',
  midStreamErrorRate: '--mid-stream-error-rate',
  stallRate: '--stall-rate',
  maxGroundTruthRecords: '--max-records',
  gradioVersion: '--gradio-version',
  heartbeatMs: '--heartbeat',
  tgiLegacyFraming: '--tgi-legacy-framing',
  ttsRealTimeFactor: '--tts-rtf',
  ttsChunkMs: '--tts-chunk',
  ttsSplitSamples: '--tts-split-samples',
  ttsMsPerWord: '--tts-ms-per-word',
  ttsSampleRate: '--tts-sample-rate',
  promptTokenizer: '--prompt-tokenizer',
};

function parseNumber(value: string | number, flag: string, help: string): number {
  if (typeof value === 'number') return value;
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number)) throw new OptionFormatError(`${flag}: "${value}" is not a number; ${help}`);
  return number;
}

function parseRate(value: string | number, flag: string): number {
  if (typeof value === 'string' && value.trim().endsWith('%')) return parseNumber(value.trim().slice(0, -1), flag, RATE_HELP) / 100;
  return parseNumber(value, flag, RATE_HELP);
}

/**
 * Turns flag-named options (from the CLI or from code) into validated server settings. Throws
 * {@link InvalidServerOptionsError} listing every bad option with its accepted format.
 */
export function parseServeOptions(flags: ServeOptions & LegacyServeOptions): ServerSettings {
  const options: Partial<ReferenceServerOptions> = {};
  for (const key of LEGACY_KEYS) if (flags[key] !== undefined) (options as Record<string, unknown>)[key] = flags[key];
  const problems: string[] = [];
  const take = <K extends keyof ReferenceServerOptions>(key: K, raw: DistributionInput | undefined, parse: (raw: DistributionInput, flag: string) => ReferenceServerOptions[K]) => {
    if (raw === undefined) return;
    try {
      options[key] = parse(raw, FLAG_OF[key]);
    } catch (error) {
      if (!(error instanceof OptionFormatError)) throw error;
      problems.push(error.message);
    }
  };
  const scalar = (raw: DistributionInput, flag: string): string | number => {
    if (typeof raw === 'object') throw new OptionFormatError(`${flag}: expected a number or a string, got an object`);
    return raw;
  };
  const text = (raw: DistributionInput) => String(raw);
  const wholeNumber = (raw: DistributionInput, flag: string) => parseNumber(scalar(raw, flag), flag, WHOLE_NUMBER_HELP);
  const rate = (raw: DistributionInput, flag: string) => parseRate(scalar(raw, flag), flag);
  const duration = (raw: DistributionInput, flag: string) => (typeof raw === 'number' ? raw : parseDurationFlag(String(scalar(raw, flag)), flag));
  const durations = (raw: DistributionInput, flag: string) => toDistribution(raw, 'ms', flag);

  take('host', flags.host, text);
  take('port', flags.port, wholeNumber);
  take('model', flags.model, text);
  take('seed', flags.seed, wholeNumber);
  take('ttftMs', flags.ttft, durations);
  take('itlMs', flags.itl, durations);
  take('outputTokens', flags.tokens, (raw, flag) => toDistribution(raw, 'tokens', flag));
  take('tokensPerChunk', flags.tokensPerChunk, wholeNumber);
  take('roleChunkAt', flags.roleChunk, (raw, flag) => {
    if (raw === 'first-token' || raw === 'headers') return raw;
    throw new OptionFormatError(`${flag}: "${String(raw)}" is not a choice; use first-token (as vLLM) or headers`);
  });
  take('ttftPerInFlightMs', flags.ttftPerInFlight, duration);
  take('echoDelayMs', flags.echoDelay, durations);
  take('errorRate', flags.errorRate, rate);
  take('errorStatus', flags.errorStatus, wholeNumber);
  take('midStreamCloseRate', flags.midStreamCloseRate, rate);
  take('midStreamErrorRate', flags.midStreamErrorRate, rate);
  take('stallRate', flags.stallRate, rate);
  take('maxGroundTruthRecords', flags.maxRecords, wholeNumber);
  take('gradioVersion', flags.gradioVersion, (raw, flag) => {
    if (String(raw) === '4' || String(raw) === '5') return Number(raw) as 4 | 5;
    throw new OptionFormatError(`${flag}: "${String(raw)}" is not a choice; use 4 (routes at the root) or 5 (routes under /gradio_api)`);
  });
  take('heartbeatMs', flags.heartbeat, duration);
  if (flags.tgiLegacyFraming !== undefined) options.tgiLegacyFraming = flags.tgiLegacyFraming;
  take('ttsRealTimeFactor', flags.ttsRtf, (raw, flag) => parseNumber(scalar(raw, flag), flag, 'use a number such as 0.3'));
  take('ttsChunkMs', flags.ttsChunk, duration);
  if (flags.ttsSplitSamples !== undefined) options.ttsSplitSamples = flags.ttsSplitSamples;
  take('ttsMsPerWord', flags.ttsMsPerWord, duration);
  take('ttsSampleRate', flags.ttsSampleRate, wholeNumber);
  take('promptTokenizer', flags.promptTokenizer, (raw, flag) => {
    if (raw === 'o200k_base' || raw === 'words') return raw;
    throw new OptionFormatError(`${flag}: "${String(raw)}" is not a choice; use o200k_base (a client's default tokenizer) or words`);
  });

  try {
    const settings = resolveServerOptions(options, (key) => FLAG_OF[key]);
    if (problems.length) throw new InvalidServerOptionsError(problems);
    return settings;
  } catch (error) {
    if (!(error instanceof InvalidServerOptionsError)) throw error;
    throw new InvalidServerOptionsError([...problems, ...error.problems]);
  }
}

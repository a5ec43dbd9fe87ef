import { parseDurationMs } from '../model/units.js';
import { standardNormal, type Random } from './seeded-random.js';

/**
 * How a per-request quantity (time to first token, each inter-token gap, output
 * length, echo delay) varies. Durations are in milliseconds, counts in tokens.
 */
export type Distribution =
  | { kind: 'fixed'; value: number }
  /** exp(N(ln median, sigma²)): right-skewed like real serving latencies; half the draws fall below `median`. */
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'uniform'; min: number; max: number };

/** A distribution as a caller may write it: the value itself, a fixed number, or the CLI text (`lognormal:200ms:0.25`). */
export type DistributionInput = Distribution | number | string;

export type DistributionUnit = 'ms' | 'tokens';

/** A value a user wrote that the server cannot use; the message names the input and what is accepted. */
export class OptionFormatError extends Error {
  override name = 'OptionFormatError';
}

export const DURATION_FORMAT_HELP = 'use 200ms, 1.5s, lognormal:200ms:0.25 (median:sigma) or uniform:10ms:30ms (min:max)';
export const COUNT_FORMAT_HELP = 'use 64, lognormal:64:0.5 (median:sigma) or uniform:32:128 (min:max)';

export function sampleDistribution(distribution: Distribution, random: Random): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'lognormal':
      return distribution.median * Math.exp(distribution.sigma * standardNormal(random));
    case 'uniform':
      return distribution.min + random() * (distribution.max - distribution.min);
  }
}

/** A token count drawn from `distribution`: a whole number, at least 1. */
export function sampleCount(distribution: Distribution, random: Random): number {
  return Math.max(1, Math.round(sampleDistribution(distribution, random)));
}

/** A duration drawn from `distribution`, never negative. */
export function sampleDurationMs(distribution: Distribution, random: Random): number {
  return Math.max(0, sampleDistribution(distribution, random));
}

/**
 * A timing flag of the reference server: `200ms`, `1.5s`, `250us` or a bare `0`, read with the
 * project's one unit table. A bare number other than 0 is refused (`--ttft 200` would be a trap).
 */
export function parseDurationFlag(text: string, label: string): number {
  const ms = parseDurationMs(text, 'reject');
  if (ms === undefined) throw new OptionFormatError(`${label}: "${text}" is not a duration; use a number with a unit: 200ms, 1.5s or 250us`);
  return ms;
}

function parseCount(text: string, label: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new OptionFormatError(`${label}: "${text}" is not a number of tokens; ${COUNT_FORMAT_HELP}`);
  }
  return value;
}

function parseSigma(text: string, label: string, help: string): number {
  const sigma = Number(text);
  if (text.trim() === '' || !Number.isFinite(sigma) || sigma < 0) {
    throw new OptionFormatError(`${label}: sigma "${text}" must be a number >= 0; ${help}`);
  }
  return sigma;
}

/** Parses the CLI form of a distribution: `200ms`, `lognormal:200ms:0.25`, `uniform:10ms:30ms` (or counts: `64`, ...). */
export function parseDistribution(text: string, unit: DistributionUnit, label: string): Distribution {
  const help = unit === 'ms' ? DURATION_FORMAT_HELP : COUNT_FORMAT_HELP;
  const parseValue = unit === 'ms' ? (part: string) => parseDurationFlag(part, label) : (part: string) => parseCount(part, label);
  const parts = text.trim().split(':');
  let distribution: Distribution;
  if (parts.length === 1) {
    distribution = { kind: 'fixed', value: parseValue(parts[0]!) };
  } else if (parts[0] === 'lognormal' && parts.length === 3) {
    distribution = { kind: 'lognormal', median: parseValue(parts[1]!), sigma: parseSigma(parts[2]!, label, help) };
  } else if (parts[0] === 'uniform' && parts.length === 3) {
    distribution = { kind: 'uniform', min: parseValue(parts[1]!), max: parseValue(parts[2]!) };
  } else if (parts[0] === 'fixed' && parts.length === 2) {
    distribution = { kind: 'fixed', value: parseValue(parts[1]!) };
  } else {
    throw new OptionFormatError(`${label}: "${text}" is not a distribution; ${help}`);
  }
  const problem = distributionProblem(distribution, unit, label);
  if (problem) throw new OptionFormatError(problem);
  return distribution;
}

/** Accepts any {@link DistributionInput}: numbers are fixed values (ms or tokens), strings use the CLI form. */
export function toDistribution(input: DistributionInput, unit: DistributionUnit, label: string): Distribution {
  if (typeof input === 'string') return parseDistribution(input, unit, label);
  const distribution: Distribution = typeof input === 'number' ? { kind: 'fixed', value: input } : input;
  const problem = distributionProblem(distribution, unit, label);
  if (problem) throw new OptionFormatError(problem);
  return distribution;
}

/** Why `distribution` cannot be sampled for `unit`, or undefined when it can. */
export function distributionProblem(distribution: Distribution, unit: DistributionUnit, label: string): string | undefined {
  const help = unit === 'ms' ? DURATION_FORMAT_HELP : COUNT_FORMAT_HELP;
  const least = unit === 'ms' ? 0 : 1;
  const isValue = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= least;
  const valueWords = unit === 'ms' ? 'durations must be >= 0' : 'token counts must be >= 1';
  switch (distribution.kind) {
    case 'fixed':
      return isValue(distribution.value) ? undefined : `${label}: ${valueWords}; ${help}`;
    case 'lognormal':
      if (!isValue(distribution.median) || distribution.median <= 0) return `${label}: the lognormal median must be > 0; ${help}`;
      if (!(Number.isFinite(distribution.sigma) && distribution.sigma >= 0)) return `${label}: sigma must be >= 0; ${help}`;
      return undefined;
    case 'uniform':
      if (!isValue(distribution.min) || !isValue(distribution.max)) return `${label}: ${valueWords}; ${help}`;
      return distribution.min <= distribution.max ? undefined : `${label}: uniform min must not exceed max; ${help}`;
    default:
      return `${label}: unknown distribution kind; ${help}`;
  }
}

/** The CLI form of `distribution`, for banners and logs. */
export function formatDistribution(distribution: Distribution, unit: DistributionUnit): string {
  const value = (n: number) => (unit === 'ms' ? `${+n.toFixed(3)}ms` : `${+n.toFixed(3)}`);
  switch (distribution.kind) {
    case 'fixed':
      return value(distribution.value);
    case 'lognormal':
      return `lognormal:${value(distribution.median)}:${distribution.sigma}`;
    case 'uniform':
      return `uniform:${value(distribution.min)}:${value(distribution.max)}`;
  }
}

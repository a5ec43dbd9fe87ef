import type { Command } from 'commander';
import { parseSegment, type LoadShare } from '../load/share.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { resolveStartAt, StartAtError } from '../run/start-at.js';

/** `run` flags that decide where the load is generated, not what it is (so they stay out of the scenario). */
export function addScaleFlags(cmd: Command): Command {
  return cmd
    .option('--workers <n>', 'worker threads generating the load (default: one per core when the planned rate needs it, else 1)')
    .option('--segment <i/n>', 'run only segment i of n (0-based) of the scenario and write a part for `inferbench merge`')
    .option('--start-at <time>', 'hold the measured load until this instant, so parts start together: epoch ms, ISO time, +30s, or @FILE shared by the parts (the first writes now + 30 s)');
}

export interface ScaleFlags {
  workers?: string;
  segment?: string;
  startAt?: string;
}

/** The RunOptions the scale flags set; every bad flag is reported at once. */
export function scaleRunOptions(flags: ScaleFlags): { workers?: number; segment?: LoadShare; startAtEpochMs?: number } {
  const problems: ConfigProblem[] = [];
  const out: { workers?: number; segment?: LoadShare; startAtEpochMs?: number } = {};
  if (flags.startAt !== undefined) {
    try {
      out.startAtEpochMs = resolveStartAt(flags.startAt);
    } catch (err) {
      if (!(err instanceof StartAtError)) throw err;
      problems.push({ path: '--start-at', message: err.message });
    }
  }
  if (flags.workers !== undefined) {
    const n = Number(flags.workers);
    if (!Number.isInteger(n) || n < 1) problems.push({ path: '--workers', message: `expected a whole number ≥ 1, got ${JSON.stringify(flags.workers)}` });
    else out.workers = n;
  }
  if (flags.segment !== undefined) {
    try {
      out.segment = parseSegment(flags.segment);
    } catch (err) {
      problems.push({ path: '--segment', message: (err as Error).message.replace(/^--segment: /, '') });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

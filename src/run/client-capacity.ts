/**
 * What one client thread of this machine can generate without becoming what is measured, and
 * what a scenario plans to ask of it. `inferbench calibrate` measures and caches the capacity;
 * without a cache a conservative built-in estimate is used, so the check at `run` costs nothing.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LoadPoint } from '../scenario/load-points.js';

export interface ClientCapacity {
  /** Where the figures come from. */
  source: 'calibrated' | 'built-in estimate';
  measuredAt?: string;
  /** Unary requests per second one thread sustains against a fast local server. */
  unaryRequestsPerSecond: number;
  /** SSE content events per second one thread parses and timestamps. */
  sseEventsPerSecond: number;
  /** Open-loop send timing error at the calibrated rate (ms after the intended start). */
  openLoopLateMs?: { p50: number; p99: number };
}

/**
 * Share of the measured maximum a thread may be asked for before results risk being
 * client-bound: near its maximum a thread's event loop queues work, which adds latency to
 * every timestamp it takes.
 */
export const SAFE_SHARE = 0.5;

/**
 * Used when this machine was never calibrated: well below what one thread of the shared 2-core
 * development machines measured under load from other users (BENCHMARKS.md: 9,700–15,500 unary
 * req/s against nginx, 200,000–280,000 SSE events/s), so it errs on the side of warning.
 */
export const BUILT_IN_CAPACITY: ClientCapacity = { source: 'built-in estimate', unaryRequestsPerSecond: 4000, sseEventsPerSecond: 150_000 };

export function calibrationFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INFERBENCH_CALIBRATION) return env.INFERBENCH_CALIBRATION;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'inferbench', 'calibration.json');
}

/** The cached calibration, or the built-in estimate when there is none (or it cannot be read). */
export async function clientCapacity(env: NodeJS.ProcessEnv = process.env): Promise<ClientCapacity> {
  try {
    const c = JSON.parse(await readFile(calibrationFile(env), 'utf8')) as ClientCapacity;
    if (c.unaryRequestsPerSecond > 0 && c.sseEventsPerSecond > 0) return { ...c, source: 'calibrated' };
  } catch {
    // no calibration yet: the estimate below
  }
  return BUILT_IN_CAPACITY;
}

/** Answer events per request assumed when the scenario does not cap them (max_tokens). */
const DEFAULT_EVENTS_PER_STREAM = 256;

/**
 * The planned load as a share of one thread's safe capacity (1 = exactly at the limit), when
 * the scenario fixes it: open loops fix their rate; closed loops depend on the server's speed,
 * which only the run itself shows (client health reports it), so they return undefined.
 */
export function plannedThreadShare(point: LoadPoint, capacity: ClientCapacity): { share: number; describe: string } | undefined {
  const { load, target } = point;
  if (load.mode !== 'rate' || load.rate === undefined) return undefined;
  const t = target as { protocol: string; stream?: boolean; max_tokens?: number };
  const streaming = t.protocol !== 'http' && t.stream !== false;
  const requestShare = load.rate / (capacity.unaryRequestsPerSecond * SAFE_SHARE);
  if (!streaming) return { share: requestShare, describe: `${load.rate} req/s` };
  const events = load.rate * (t.max_tokens ?? DEFAULT_EVENTS_PER_STREAM);
  const eventShare = events / (capacity.sseEventsPerSecond * SAFE_SHARE);
  return eventShare > requestShare
    ? { share: eventShare, describe: `${load.rate} req/s × up to ${t.max_tokens ?? DEFAULT_EVENTS_PER_STREAM} events = ${Math.round(events)} events/s` }
    : { share: requestShare, describe: `${load.rate} req/s` };
}

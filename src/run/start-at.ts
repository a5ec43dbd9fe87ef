/**
 * `--start-at`: the instant every segment of a run starts its measured load, so parts started
 * seconds apart (pods, machines) send their shares of one schedule together.
 *   1767225600000           epoch milliseconds
 *   2026-01-01T00:00:00Z    an ISO 8601 time
 *   +30s                    this long from now
 *   @/shared/start-at       a file every part can read: the first part to arrive writes
 *                           "now + 30 s" into it, and every part starts at that instant
 *   @/shared/start-at+10s   the same with another lead
 */
import { readFileSync } from 'node:fs';
import { createRedactedFileOnce } from '../results/redacting-sinks.js';
import { parseDurationMs } from '../model/units.js';

const DEFAULT_SHARED_LEAD_MS = 30_000;

export class StartAtError extends Error {}

export function resolveStartAt(value: string, nowEpochMs = Date.now()): number {
  const text = value.trim();
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (text.startsWith('+')) {
    const ms = parseDurationMs(text.slice(1), 'seconds');
    if (ms === undefined) throw new StartAtError(`"${value}": expected a duration after +, e.g. +30s`);
    return nowEpochMs + ms;
  }
  if (text.startsWith('@')) return sharedStart(text.slice(1), nowEpochMs, value);
  const parsed = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(parsed)) {
    throw new StartAtError(`"${value}": expected epoch milliseconds (1767225600000), an ISO time (2026-01-01T00:00:00Z), +30s, or @FILE shared by the parts`);
  }
  return parsed;
}

/** The first part to link its file in place decides; linking is atomic, so a reader never sees half a time. */
function sharedStart(spec: string, nowEpochMs: number, original: string): number {
  const m = /^(.*?)(?:\+([^/+]+))?$/.exec(spec)!;
  const path = m[1]!;
  const leadMs = m[2] === undefined ? DEFAULT_SHARED_LEAD_MS : parseDurationMs(m[2], 'seconds');
  if (!path || leadMs === undefined) throw new StartAtError(`"${original}": expected @FILE or @FILE+LEAD, e.g. @/results/start-at+30s`);
  try {
    createRedactedFileOnce(path, `${nowEpochMs + leadMs}\n`);
    const at = Number(readFileSync(path, 'utf8').trim());
    if (!Number.isFinite(at)) throw new StartAtError(`${path} holds no start time; remove it and start the parts again`);
    return at;
  } catch (err) {
    if (err instanceof StartAtError) throw err;
    throw new StartAtError(`"${original}": cannot share the start through ${path}: ${(err as Error).message}`);
  }
}

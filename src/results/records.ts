import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { epochMsOf } from '../model/clock.js';
import { countOutputTokens } from '../measure/metrics.js';
import type { Timeline } from '../model/timeline.js';

export type RecordsFormat = 'csv' | 'ndjson';

/** One request as a row: the per-call record of the users' notebooks, with our marks. */
export interface RequestRecord {
  call_index: number;
  phase: string;
  load_point: string;
  /** Open loop: when the schedule wanted it sent; empty in closed loops. */
  intended_start_epoch_ms: number | null;
  /** When the call started: its connection set-up (if it needed one) or, on a kept-alive connection, its send. */
  start_epoch_ms: number;
  end_epoch_ms: number;
  status: number | string | null;
  ok: boolean;
  outcome: string;
  /** end − start as METRICS.md defines start (the intended start in open loop). */
  latency_ms: number;
  /** The call's own duration, end − its start (the notebook's delta_ms): latency without an open loop's queueing. */
  delta_ms: number;
  /** Time opening the connection this call waited for; empty when it reused one. */
  connect_ms: number | null;
  ttfb_ms: number | null;
  first_event_ms: number | null;
  ttft_ms: number | null;
  output_tokens: number | null;
  error: string | null;
  /** Failures only: the first bytes of what the server said. */
  body_preview: string | null;
  /** The scenario's own columns (`record:`, e.g. series_id). */
  [column: string]: unknown;
}

export const RECORD_FIELDS: readonly string[] = [
  'call_index',
  'phase',
  'load_point',
  'intended_start_epoch_ms',
  'start_epoch_ms',
  'end_epoch_ms',
  'status',
  'ok',
  'outcome',
  'latency_ms',
  'delta_ms',
  'connect_ms',
  'ttfb_ms',
  'first_event_ms',
  'ttft_ms',
  'output_tokens',
  'error',
  'body_preview',
];

/** The record's columns with the scenario's own after call_index (a name that is already a field keeps its place). */
export function recordFieldNames(columns: readonly string[]): string[] {
  const own = columns.filter((c) => !RECORD_FIELDS.includes(c));
  return [RECORD_FIELDS[0]!, ...own, ...RECORD_FIELDS.slice(1)];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const since = (mark: number | undefined, startMs: number) => (mark === undefined ? null : round3(mark - startMs));

/**
 * A request's record. Times follow METRICS.md: start is the intended start in open loop (a
 * timeline with scheduledMs), else the call's start (its connect, when it needed one, is part of
 * what the caller waited); latency is end − start whatever the outcome, so failed rows show how
 * long the failure took. Tokens come from usage or content events (no tokenizer here: it would
 * cost as much as the request bookkeeping itself).
 */
export function recordOf(t: Timeline, phase: string, pointLabel: string, columns: readonly string[] = []): RequestRecord {
  const callStartMs = Number.isFinite(t.sentMs) ? t.sentMs - (t.connectMs ?? 0) : t.endMs;
  const startMs = t.scheduledMs ?? callStartMs;
  const ok = t.outcome === 'ok';
  const record: RequestRecord = {
    call_index: t.index,
    phase,
    load_point: pointLabel,
    intended_start_epoch_ms: t.scheduledMs === undefined ? null : round3(epochMsOf(t.scheduledMs)),
    start_epoch_ms: round3(epochMsOf(callStartMs)),
    end_epoch_ms: round3(epochMsOf(t.endMs)),
    status: t.status ?? null,
    ok,
    outcome: t.outcome,
    latency_ms: round3(t.endMs - startMs),
    delta_ms: round3(t.endMs - callStartMs),
    connect_ms: t.connectMs === undefined ? null : round3(t.connectMs),
    ttfb_ms: since(t.firstByteMs ?? t.headersMs, startMs),
    first_event_ms: since(t.firstEventMs, startMs),
    ttft_ms: since(t.content[0]?.atMs, startMs),
    output_tokens: countOutputTokens(t).count ?? null,
    error: t.error ?? null,
    body_preview: ok ? null : (t.bodyPreview ?? null),
  };
  for (const c of columns) if (!RECORD_FIELDS.includes(c)) record[c] = t.values?.[c] ?? null;
  return record;
}

/** A record value as one CSV cell: objects (a captured JSON value) as JSON. */
function cell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

/**
 * One RFC 4180 field: quoted when it holds a comma, quote or line break, quotes doubled.
 * Hand-written rather than csv-stringify's sync API, which builds a whole stringifier per call:
 * with it, 100k rows grew RSS by 54 MB against ~0 for NDJSON (bench/records-memory.ts).
 * test/results/records.test.ts reads the output back with csv-parse.
 */
function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows are buffered to this many characters, then written. */
const FLUSH_AT_CHARS = 64 * 1024;

/**
 * Streams one row per finished request to a CSV or NDJSON file.
 *
 * Writes are synchronous, in 64 KiB batches: the runner's hook is synchronous, and a
 * synchronous write cannot queue up in memory when the disk is slower than the requests,
 * so memory stays flat for any number of rows (bench/records-memory.ts measures it).
 * A batch costs ~0.1 ms; at 10k requests/s that is one write every ~30 ms.
 * Rows still buffered are written on close and, if the process exits first (a second Ctrl+C), on exit.
 */
export class RecordsWriter {
  private fd: number | undefined;
  private buffer = '';
  private rows = 0;
  private readonly flushOnExit = () => this.flush();

  private constructor(
    readonly path: string,
    readonly format: RecordsFormat,
    /** The scenario's own columns (`record:`), from each call's values, after call_index. */
    readonly columns: readonly string[],
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    if (format === 'csv') this.buffer = `${recordFieldNames(columns).join(',')}\n`;
    process.on('exit', this.flushOnExit);
  }

  static open(path: string, format: RecordsFormat, columns: readonly string[] = []): RecordsWriter {
    return new RecordsWriter(path, format, columns);
  }

  get rowCount(): number {
    return this.rows;
  }

  write(t: Timeline, phase: string, pointLabel: string): void {
    if (this.fd === undefined) return;
    const r = recordOf(t, phase, pointLabel, this.columns);
    this.buffer += this.format === 'csv' ? `${recordFieldNames(this.columns).map((f) => csvField(cell(r[f]))).join(',')}\n` : `${JSON.stringify(r)}\n`;
    this.rows++;
    if (this.buffer.length >= FLUSH_AT_CHARS) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer === '') return;
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    process.off('exit', this.flushOnExit);
  }
}

/** `<results>.json` → `<results>.records.csv` (or `.records.ndjson`): the records sit next to the results. */
export function recordsPathFor(resultsPath: string, format: RecordsFormat): string {
  return `${resultsPath.replace(/\.json$/i, '')}.records.${format}`;
}

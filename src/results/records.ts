import type { Redactor } from '../model/redact.js';
import { RedactedFileWriter } from './redacting-sinks.js';
import { epochMsOf } from '../model/clock.js';
import { callStartMs, countOutputTokens } from '../measure/metrics.js';
import type { Timeline } from '../model/timeline.js';
import type { FamilyOf } from '../model/metrics.js';

export type RecordsFormat = 'csv' | 'ndjson';

/**
 * One request as a row: the per-call record of the users' notebooks, with our marks, its
 * family's own columns, and the scenario's own (`record:`, e.g. series_id; a captured JSON value
 * as JSON). `start_epoch_ms` is when the call started (its connection set-up, when it opened
 * one); `delta_ms` is the call's own duration from there (the notebook's), `latency_ms` the
 * same from the intended start in an open loop; `connect_ms` is empty on a kept-alive connection.
 */
export type RequestRecord = Record<RecordField, string | number | boolean | null> & Record<string, unknown>;

/** Columns every record has, in this order. */
const COMMON_FIELDS = ['call_index', 'phase', 'load_point', 'intended_start_epoch_ms', 'start_epoch_ms', 'end_epoch_ms', 'status', 'ok', 'outcome', 'latency_ms', 'delta_ms', 'connect_ms', 'ttfb_ms'] as const;
/** Each family's columns (stream columns only when the family streams), then `error` and `body_preview` (failures only). */
const FAMILY_FIELDS = {
  stream: ['first_event_ms'],
  text: ['ttft_ms', 'output_tokens'],
  audio: ['ttfc_ms', 'audio_seconds', 'rtf'],
  frames: ['frames', 'frame_latency_ms'],
} as const;
const TAIL_FIELDS = ['error', 'body_preview'] as const;

type RecordField = (typeof COMMON_FIELDS)[number] | (typeof FAMILY_FIELDS)[keyof typeof FAMILY_FIELDS][number] | (typeof TAIL_FIELDS)[number];

/** The columns of a records file whose load points produce these families (a sweep may mix them), with the scenario's own after call_index. */
export function recordFields(families: readonly FamilyOf[], columns: readonly string[] = []): string[] {
  const known = new Set<string>([...COMMON_FIELDS, ...Object.values(FAMILY_FIELDS).flat(), ...TAIL_FIELDS]);
  const own = columns.filter((c) => !known.has(c));
  const fields: string[] = ['call_index', ...own, ...COMMON_FIELDS.slice(1)];
  const add = (names: readonly string[]) => {
    for (const n of names) if (!fields.includes(n)) fields.push(n);
  };
  if (families.some((f) => f.streamed)) add(FAMILY_FIELDS.stream);
  for (const f of families) if (f.family !== 'unary') add(f.family === 'text' && !f.streamed ? ['output_tokens'] : FAMILY_FIELDS[f.family]);
  add(TAIL_FIELDS);
  return fields;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const since = (mark: number | undefined, startMs: number) => (mark === undefined ? null : round3(mark - startMs));
const valueOr = (n: number | undefined) => (n === undefined ? null : round3(n));

/**
 * A request's record. Times follow the metric definitions (model/metrics.ts): start is the intended start in open loop (a
 * timeline with scheduledMs), else the send; latency is end − start whatever the outcome,
 * so failed rows show how long the failure took. Tokens come from usage or text events
 * (no tokenizer here: it would cost as much as the request bookkeeping itself).
 */
export function recordOf(t: Timeline, phase: string, pointLabel: string, columns: readonly string[] = []): RequestRecord {
  const callStart = Number.isFinite(t.sentMs) ? callStartMs(t) : t.endMs;
  const startMs = t.scheduledMs ?? callStart;
  const ok = t.outcome === 'ok';
  const firstText = t.content.find((e) => e.kind === 'tokens');
  const frames = t.content.reduce((n, e) => n + (e.kind === 'frames' ? e.units : 0), 0);
  const record: RequestRecord = {
    call_index: t.index,
    phase,
    load_point: pointLabel,
    intended_start_epoch_ms: t.scheduledMs === undefined ? null : round3(epochMsOf(t.scheduledMs)),
    start_epoch_ms: round3(epochMsOf(callStart)),
    end_epoch_ms: round3(epochMsOf(t.endMs)),
    status: t.status ?? null,
    ok,
    outcome: t.outcome,
    latency_ms: round3(t.endMs - startMs),
    delta_ms: round3(t.endMs - callStart),
    connect_ms: t.connectMs === undefined ? null : round3(t.connectMs),
    ttfb_ms: since(t.firstByteMs ?? t.headersMs, startMs),
    first_event_ms: since(t.firstEventMs, startMs),
    ttft_ms: since(firstText?.atMs, startMs),
    output_tokens: firstText ? (countOutputTokens(t).count ?? null) : (t.usageTokens ?? null),
    ttfc_ms: valueOr(t.extra.ttfc),
    audio_seconds: valueOr(t.extra.audio_seconds),
    rtf: valueOr(t.extra.rtf),
    frames: frames || (t.extra.frames_count ?? null),
    frame_latency_ms: valueOr(t.extra.frame_latency),
    error: t.error ?? null,
    body_preview: ok ? null : (t.bodyPreview ?? null),
  };
  for (const c of columns) if (!(c in record)) record[c] = cell(t.values?.[c]);
  return record;
}

/** A scenario column's value as one cell: objects (a captured JSON value) as JSON. */
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
  private file: RedactedFileWriter | undefined;
  private buffer = '';
  private rows = 0;
  private readonly flushOnExit = () => this.flush();

  private constructor(
    readonly path: string,
    readonly format: RecordsFormat,
    readonly fields: readonly string[],
    /** The scenario's own columns (`record:`). */
    readonly columns: readonly string[],
    /** Hides the run's secrets (`${ENV}` values, tokens) in every row: errors, previews and captured values can quote them. */
    private readonly redactor: Redactor | undefined,
  ) {
    this.file = new RedactedFileWriter(path, redactor);
    if (format === 'csv') this.buffer = `${fields.join(',')}\n`;
    process.on('exit', this.flushOnExit);
  }

  /**
   * A records file with the columns of these families (see {@link recordFields}) and the scenario's own;
   * rows pass through `redactor` field by field (before CSV quoting) and again as written.
   */
  static open(path: string, format: RecordsFormat, families: readonly FamilyOf[], columns: readonly string[] = [], redactor?: Redactor): RecordsWriter {
    return new RecordsWriter(path, format, recordFields(families, columns), columns, redactor);
  }

  get rowCount(): number {
    return this.rows;
  }

  write(t: Timeline, phase: string, pointLabel: string): void {
    if (this.file === undefined) return;
    const r = recordOf(t, phase, pointLabel, this.columns);
    // Field by field, before quoting and escaping can split a secret's echo.
    if (this.redactor) for (const [k, v] of Object.entries(r)) if (typeof v === 'string') r[k] = this.redactor.redactText(v);
    let line: string;
    if (this.format === 'csv') line = `${this.fields.map((f) => csvField((r[f] ?? null) as string | number | boolean | null)).join(',')}\n`;
    else {
      const row: Record<string, unknown> = {};
      for (const f of this.fields) row[f] = r[f];
      line = `${JSON.stringify(row)}\n`;
    }
    this.buffer += line;
    this.rows++;
    if (this.buffer.length >= FLUSH_AT_CHARS) this.flush();
  }

  flush(): void {
    if (this.file === undefined || this.buffer === '') return;
    this.file.write(this.buffer);
    this.buffer = '';
  }

  close(): void {
    if (this.file === undefined) return;
    this.flush();
    this.file.close();
    this.file = undefined;
    process.off('exit', this.flushOnExit);
  }
}

/** `<results>.json` → `<results>.records.csv` (or `.records.ndjson`): the records sit next to the results. */
export function recordsPathFor(resultsPath: string, format: RecordsFormat): string {
  return `${resultsPath.replace(/\.json$/i, '')}.records.${format}`;
}

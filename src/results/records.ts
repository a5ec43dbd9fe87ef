import type { Redactor } from '../model/redact.js';
import { RedactedFileWriter } from './redacting-sinks.js';
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
  start_epoch_ms: number;
  end_epoch_ms: number;
  status: number | string | null;
  ok: boolean;
  outcome: string;
  latency_ms: number;
  ttfb_ms: number | null;
  first_event_ms: number | null;
  ttft_ms: number | null;
  output_tokens: number | null;
  error: string | null;
  /** Failures only: the first bytes of what the server said. */
  body_preview: string | null;
}

export const RECORD_FIELDS: readonly (keyof RequestRecord)[] = [
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
  'ttfb_ms',
  'first_event_ms',
  'ttft_ms',
  'output_tokens',
  'error',
  'body_preview',
];

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const since = (mark: number | undefined, startMs: number) => (mark === undefined ? null : round3(mark - startMs));

/**
 * A request's record. Times follow METRICS.md: start is the intended start in open loop (a
 * timeline with scheduledMs), else the send; latency is end − start whatever the outcome,
 * so failed rows show how long the failure took. Tokens come from usage or content events
 * (no tokenizer here: it would cost as much as the request bookkeeping itself).
 */
export function recordOf(t: Timeline, phase: string, pointLabel: string): RequestRecord {
  const startMs = t.scheduledMs ?? t.sentMs;
  const ok = t.outcome === 'ok';
  return {
    call_index: t.index,
    phase,
    load_point: pointLabel,
    intended_start_epoch_ms: t.scheduledMs === undefined ? null : round3(epochMsOf(t.scheduledMs)),
    start_epoch_ms: round3(epochMsOf(Number.isFinite(t.sentMs) ? t.sentMs : startMs)),
    end_epoch_ms: round3(epochMsOf(t.endMs)),
    status: t.status ?? null,
    ok,
    outcome: t.outcome,
    latency_ms: round3(t.endMs - startMs),
    ttfb_ms: since(t.firstByteMs ?? t.headersMs, startMs),
    first_event_ms: since(t.firstEventMs, startMs),
    ttft_ms: since(t.content[0]?.atMs, startMs),
    output_tokens: countOutputTokens(t).count ?? null,
    error: t.error ?? null,
    body_preview: ok ? null : (t.bodyPreview ?? null),
  };
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
    private readonly redactor: Redactor | undefined,
  ) {
    this.file = new RedactedFileWriter(path, redactor);
    if (format === 'csv') this.buffer = `${RECORD_FIELDS.join(',')}\n`;
    process.on('exit', this.flushOnExit);
  }

  /** Rows pass through `redactor` field by field (before CSV quoting) and again as written. */
  static open(path: string, format: RecordsFormat, redactor?: Redactor): RecordsWriter {
    return new RecordsWriter(path, format, redactor);
  }

  get rowCount(): number {
    return this.rows;
  }

  write(t: Timeline, phase: string, pointLabel: string): void {
    if (this.file === undefined) return;
    const r = recordOf(t, phase, pointLabel);
    if (this.redactor) {
      if (r.error !== null) r.error = this.redactor.redactText(r.error);
      if (r.body_preview !== null) r.body_preview = this.redactor.redactText(r.body_preview);
    }
    this.buffer += this.format === 'csv' ? `${RECORD_FIELDS.map((f) => csvField(r[f])).join(',')}\n` : `${JSON.stringify(r)}\n`;
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

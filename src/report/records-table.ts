import { esc } from './html-escape.js';

/** The run's per-call records: the records file's columns and rows. */
export interface CallRecords {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Rows of the per-call table at most; a longer run's table says how many more the records file holds. */
const MAX_CALL_ROWS = 2000;

/**
 * Every call as a row, with the records file's columns (the scenario's own among them, such as
 * series_id), failed calls first so they are seen. The results' own "Calls" section keeps only
 * the slowest and first failed calls; this one shows what the records file holds.
 */
export function recordsSection(calls: CallRecords): string {
  const ok = (r: Record<string, unknown>) => r.ok === true || r.ok === 'true';
  const rows = [...calls.rows.filter((r) => !ok(r)), ...calls.rows.filter(ok)].slice(0, MAX_CALL_ROWS);
  const cell = (v: unknown) => (v === null || v === undefined || v === '' ? '' : esc(typeof v === 'object' ? JSON.stringify(v) : String(v)));
  const body = rows.map((r) => `<tr${ok(r) ? '' : ' class="failed"'}>${calls.columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('');
  const more = calls.rows.length > rows.length ? `<p class="note">First ${rows.length} of ${calls.rows.length} calls (failures first); the records file holds them all.</p>` : '';
  return `<section><h2>Per-call records</h2><p class="note">One row per call, as in the records file: failed calls first, with the first bytes the server answered.</p>${more}<div class="records"><table class="records"><thead><tr>${calls.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

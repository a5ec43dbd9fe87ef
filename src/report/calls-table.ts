import type { CallSample } from '../model/results.js';
import type { ChartSource } from './chart-spec.js';
import { fmt } from './console.js';
import { esc } from './html-escape.js';

/** Up to ten slowest ok calls and the first failed ones of each load point, previews redacted by the run. */
export function callsSection(sources: ChartSource[]): string {
  const blocks = sources.flatMap((s) => {
    const calls = s.phase.calls;
    if (!calls || (!calls.slowest.length && !calls.failed.length)) return [];
    const text = s.phase.family === 'text';
    const parts: string[] = [`<h3>${esc(s.name)}</h3>`];
    if (calls.slowest.length) parts.push(`<p class="note">The ${calls.slowest.length} slowest ok calls, slowest first.</p>`, table(calls.slowest, text, 'slowest'));
    if (calls.failed.length) parts.push(`<p class="note">The first ${calls.failed.length} of ${calls.failedCount} failed calls, in the order they started.</p>`, table(calls.failed, text, 'failed'));
    return [parts.join('')];
  });
  if (!blocks.length) return '';
  return `<section><h2>Slowest and failed calls</h2><p class="note">Answers and error bodies as received, secrets replaced by "[redacted]"; start is after the phase began.</p>${blocks.join('')}</section>`;
}

function table(calls: CallSample[], textFamily: boolean, kind: 'slowest' | 'failed'): string {
  // A failed call has no ttft or tokens to show.
  const text = textFamily && kind === 'slowest';
  const head = ['call', 'start (s)', kind === 'failed' ? 'until failure (ms)' : 'latency (ms)', ...(text ? ['ttft (ms)', 'tokens'] : []), 'status', kind === 'failed' ? 'error and body' : 'answer'];
  const rows = calls.map((c) => {
    const cells = [
      String(c.index),
      fmt(c.startOffsetMs / 1000),
      fmt(c.latencyMs),
      ...(text ? [c.ttftMs === undefined ? '-' : fmt(c.ttftMs), c.outputTokens === undefined ? '-' : String(c.outputTokens)] : []),
      c.status ? `${c.status} ${c.outcome === 'ok' ? '' : c.outcome}`.trim() : c.outcome,
    ];
    const preview = [c.error, c.preview].filter(Boolean).join(' · ');
    return `<tr>${cells.map((v) => `<td class="num">${esc(v)}</td>`).join('')}<td class="preview"><code>${esc(preview || '-')}</code></td></tr>`;
  });
  return `<table class="calls" data-calls="${kind}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

import type { LoadPointResult, MetricResult, PhaseResult, Results } from '../model/results.js';
import { formatSweepComparison } from './comparison.js';
import { fmt, table } from './table.js';

export { fmt, table };
import { formatProfile } from './profile.js';
import { orderedMetrics, throughputFigures } from './family-view.js';

export interface ConsoleOptions {
  color?: boolean;
}

/** The final human summary of a run: one block per load point. */
export function formatSummary(results: Results, opts: ConsoleOptions = {}): string {
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const target = results.scenario.target as { protocol?: string; url?: string } | undefined;
  lines.push(bold(`inferbench ${results.tool.version} — ${results.name}`));
  if (target?.url) lines.push(`target: ${target.protocol} ${target.url}`);
  for (const point of results.points) lines.push('', ...formatPoint(point, bold));
  if (results.profile) lines.push('', ...formatProfile(results));
  else if (results.points.length > 1) lines.push('', ...formatSweepComparison(results));
  if (results.interrupted) lines.push('', `Run stopped early: ${results.interruptReason ?? 'interrupted'}. Results hold what was measured until then.`);
  if (results.warnings.length) lines.push('', ...results.warnings.map((w) => `warning: ${w}`));
  return lines.join('\n');
}

function formatPoint(point: LoadPointResult, bold: (s: string) => string): string[] {
  const m = point.measure;
  const c = m.counts;
  const lines = [bold(`[${point.label}]`)];
  if (point.warmup) lines.push(`warmup: ${point.warmup.sent} requests (${point.warmup.failed} failed), excluded from the results`);
  lines.push(
    `requests: ${c.sent} sent, ${c.ok} ok, ${c.failed} failed${c.dropped ? `, ${c.dropped} dropped` : ''} in ${(m.durationMs / 1000).toFixed(2)} s`,
    `throughput: ${throughputLine(m)}; concurrency mean ${fmt(m.concurrency.mean)}, max ${m.concurrency.max}`,
  );
  if (m.tokens && m.tokens.source !== 'none') {
    const both = [
      m.tokens.usageTotal !== undefined ? `usage ${m.tokens.usageTotal}` : '',
      m.tokens.tokenizerTotal !== undefined ? `tokenizer ${m.tokens.tokenizerTotal}` : '',
    ].filter(Boolean);
    lines.push(`output tokens: ${m.tokens.totalOutputTokens} (source: ${m.tokens.source}${both.length ? `; ${both.join(', ')}` : ''})`);
  }
  const input = m.tokens?.input;
  if (input) {
    const both = [input.usageTotal !== undefined ? `usage ${input.usageTotal}` : '', input.tokenizerTotal !== undefined ? `tokenizer ${input.tokenizerTotal}` : ''].filter(Boolean);
    lines.push(`input tokens: ${input.totalInputTokens} (source: ${input.source}${both.length ? `; ${both.join(', ')}` : ''})`);
  }
  const rows = orderedMetrics(m).map((name) => metricRow(name, m.metrics[name]!));
  if (rows.length) lines.push('', ...table(['metric', 'unit', 'count', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], rows));
  const statuses = Object.entries(c.byStatus).map(([s, n]) => `${s}×${n}`);
  if (statuses.length) lines.push('', `status: ${statuses.join('  ')}`);
  const outcomes = Object.entries(c.byOutcome)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}×${n}`);
  if (outcomes.length) lines.push(`outcomes: ${outcomes.join('  ')}`);
  for (const e of c.errors) lines.push(`  error ×${e.count}: ${e.message}`);
  return lines;
}

/** "12.3 req/s, 456 output tok/s (peak 610/s)" — the figures of the phase's own family. */
export function throughputLine(m: PhaseResult): string {
  const t = m.throughput;
  return throughputFigures(m)
    .map((f) => {
      if (f.unit === 'tok/s') return `${fmt(f.value)} output tok/s${t.peakOutputTokensPerSecond !== undefined ? ` (peak ${fmt(t.peakOutputTokensPerSecond)}/s)` : ''}`;
      if (f.unit === 'FPS') return `${fmt(f.value)} FPS${t.peakFramesPerSecond !== undefined ? ` (peak ${fmt(t.peakFramesPerSecond)}/s)` : ''}`;
      return `${fmt(f.value)} ${f.unit}`;
    })
    .join(', ');
}

function metricRow(name: string, metric: MetricResult): string[] {
  const s = metric.summary;
  return [name, metric.unit, String(s.count), fmt(s.mean), fmt(s.p50), fmt(s.p90), fmt(s.p95), fmt(s.p99), fmt(s.max)];
}


import type { LoadPointResult, MetricResult, Results } from '../model/results.js';
import { formatSweepComparison } from './comparison.js';
import { fmt, table } from './table.js';

export { fmt, table };

/** Metrics shown in the summary table, in this order, when the run has them. */
const SHOWN = [
  'ttft',
  'itl',
  'tpot',
  'first_event',
  'ttfb',
  'latency',
  'service_time',
  'queue_delay',
  'stream_time',
  'output_tokens',
  'decode_speed',
] as const;

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
  if (results.points.length > 1) lines.push('', ...formatSweepComparison(results));
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
    `throughput: ${fmt(m.throughput.requestsPerSecond)} req/s, ${fmt(m.throughput.outputTokensPerSecond)} output tok/s (peak ${fmt(m.throughput.peakOutputTokensPerSecond)}/s); concurrency mean ${fmt(m.concurrency.mean)}, max ${m.concurrency.max}`,
  );
  if (m.tokens.source !== 'none') {
    const both = [
      m.tokens.usageTotal !== undefined ? `usage ${m.tokens.usageTotal}` : '',
      m.tokens.tokenizerTotal !== undefined ? `tokenizer ${m.tokens.tokenizerTotal}` : '',
    ].filter(Boolean);
    lines.push(`output tokens: ${m.tokens.totalOutputTokens} (source: ${m.tokens.source}${both.length ? `; ${both.join(', ')}` : ''})`);
  }
  const rows = SHOWN.filter((name) => m.metrics[name]).map((name) => metricRow(name, m.metrics[name]!));
  for (const [name, metric] of Object.entries(m.metrics)) {
    if (!(SHOWN as readonly string[]).includes(name)) rows.push(metricRow(name, metric));
  }
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

function metricRow(name: string, metric: MetricResult): string[] {
  const s = metric.summary;
  return [name, metric.unit, String(s.count), fmt(s.mean), fmt(s.p50), fmt(s.p90), fmt(s.p95), fmt(s.p99), fmt(s.max)];
}

import type { LoadPointResult, Results } from '../model/results.js';
import { fmt, throughputLine } from './console.js';
import { orderedMetrics } from './family-view.js';
import type { ThresholdOutcome } from '../conditions/thresholds.js';

const md = (s: string) => s.replace(/\|/g, '\\|');

/** A run as GitHub-flavoured markdown (`--summary md`), for CI logs and $GITHUB_STEP_SUMMARY. */
export function formatMarkdownSummary(results: Results, thresholds: readonly ThresholdOutcome[] = []): string {
  const target = results.scenario.target as { protocol?: string; url?: string } | undefined;
  const lines = [`### inferbench: \`${md(results.name)}\``, ''];
  lines.push(`${results.startedAt} · inferbench ${results.tool.version}${target?.url ? ` · ${target.protocol} \`${md(target.url)}\`` : ''}`);
  if (results.interrupted) lines.push('', `> **Stopped early:** ${md(results.interruptReason ?? 'interrupted')}. Results hold what was measured until then.`);
  for (const point of results.points) lines.push('', ...pointMarkdown(point));
  if (thresholds.length) {
    const failed = thresholds.filter((t) => !t.passed).length;
    lines.push('', `#### Thresholds: ${failed ? `${failed} of ${thresholds.length} failed` : `all ${thresholds.length} passed`}`, '');
    for (const t of thresholds) lines.push(`- ${t.passed ? ':white_check_mark:' : ':x:'} ${md(t.message)}`);
  }
  if (results.warnings.length) lines.push('', ...results.warnings.map((w) => `> :warning: ${md(w)}`));
  return lines.join('\n');
}

function pointMarkdown(point: LoadPointResult): string[] {
  const m = point.measure;
  const c = m.counts;
  const errorRate = c.sent ? (100 * c.failed) / c.sent : 0;
  const lines = [
    `#### ${md(point.label)}`,
    '',
    `**${c.sent}** sent · **${c.ok}** ok · **${c.failed}** failed (${fmt(errorRate)}%)${c.dropped ? ` · ${c.dropped} dropped` : ''} · ` +
      `${throughputLine(m)} · ${(m.durationMs / 1000).toFixed(2)} s`,
  ];
  const names = orderedMetrics(m);
  if (names.length) {
    lines.push('', '| metric | unit | count | mean | p50 | p90 | p95 | p99 | max |', '|:---|:---|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of names) {
      const s = m.metrics[n]!.summary;
      lines.push(`| ${n} | ${m.metrics[n]!.unit} | ${s.count} | ${fmt(s.mean)} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`);
    }
  }
  const statuses = Object.entries(c.byStatus).map(([s, n]) => `${s}×${n}`);
  if (statuses.length) lines.push('', `status: ${statuses.join(' · ')}`);
  for (const e of c.errors) lines.push(`- error ×${e.count}: ${md(e.message)}`);
  return lines;
}

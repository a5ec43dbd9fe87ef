import { table } from './console.js';
import { comparisonRows, type ComparisonRow, type RunComparison } from './compare.js';
import { formatValue } from '../model/units.js';

/** Column headers shared by the console and markdown tables. */
export const COMPARISON_HEADER = ['metric', 'before', 'after', 'change', '95% CI of median change', 'p (Mann-Whitney)', 'verdict', 'target'];

export function comparisonCells(r: ComparisonRow): string[] {
  const show = (n: number) => (!Number.isFinite(n) ? '-' : r.unit === 'fraction' ? formatValue(n, 'ratio', '%') : formatValue(n, r.unit, r.shownIn));
  const signed = (n: number) => (n > 0 ? '+' : '') + show(n);
  return [
    r.label,
    show(r.before),
    show(r.after),
    Number.isFinite(r.changePercent) ? `${r.changePercent > 0 ? '+' : ''}${r.changePercent.toFixed(1)}%` : '-',
    r.interval ? `[${signed(r.interval.low)}, ${signed(r.interval.high)}]` : '',
    r.pValue === undefined ? '' : r.pValue < 0.001 ? '<0.001' : r.pValue.toFixed(3),
    r.verdict ?? '',
    r.target ? `${r.target.after ? 'PASS' : 'MISS'} (${r.target.text})` : '',
  ];
}

function targetTally(c: RunComparison): string | undefined {
  const targets = comparisonRows(c).filter((r) => r.target);
  if (!targets.length) return undefined;
  return `Target status: ${targets.filter((r) => r.target!.after).length}/${targets.length} passing`;
}

/** The comparison as a console table, like the users' "BENCHMARK COMPARISON" template. */
export function formatComparison(c: RunComparison): string {
  const lines = [`BENCHMARK COMPARISON: ${c.before.name} (${c.before.startedAt}) → ${c.after.name} (${c.after.startedAt})`];
  if (c.before.path || c.after.path) lines.push(`before: ${c.before.path ?? '-'}`, `after:  ${c.after.path ?? '-'}`);
  for (const p of c.points) lines.push('', `[${p.label}]`, ...table(COMPARISON_HEADER, p.rows.map(comparisonCells)));
  if (c.unmatched.length) lines.push('', `load points in only one run (not compared): ${c.unmatched.join(', ')}`);
  const tally = targetTally(c);
  if (tally) lines.push('', tally);
  lines.push('', NOTE);
  return lines.join('\n');
}

const NOTE =
  'Verdicts use the bootstrap interval of the change of the median: "better"/"worse" only when it excludes zero. ' +
  'Values come from HDR histograms (3 significant digits).';

const md = (s: string) => s.replace(/\|/g, '\\|');

/** The comparison as GitHub-flavoured markdown, for PR comments and $GITHUB_STEP_SUMMARY. */
export function formatComparisonMarkdown(c: RunComparison): string {
  const lines = [`### Benchmark comparison: \`${md(c.before.name)}\` → \`${md(c.after.name)}\``, ''];
  lines.push(`before: ${c.before.startedAt}${c.before.path ? ` (\`${md(c.before.path)}\`)` : ''}  `, `after: ${c.after.startedAt}${c.after.path ? ` (\`${md(c.after.path)}\`)` : ''}`);
  for (const p of c.points) {
    lines.push('', `#### ${md(p.label)}`, '', `| ${COMPARISON_HEADER.join(' | ')} |`, `|${COMPARISON_HEADER.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`);
    for (const r of p.rows) {
      const row = comparisonCells(r).map(md);
      if (r.verdict === 'worse') row[6] = `**${row[6]}** :red_circle:`;
      if (r.verdict === 'better') row[6] = `**${row[6]}** :green_circle:`;
      if (r.target) row[7] = `${r.target.after ? ':white_check_mark: PASS' : ':x: MISS'} (\`${md(r.target.text)}\`)`;
      lines.push(`| ${row.join(' | ')} |`);
    }
  }
  if (c.unmatched.length) lines.push('', `Load points in only one run (not compared): ${c.unmatched.map(md).join(', ')}`);
  const tally = targetTally(c);
  if (tally) lines.push('', `**${tally}**`);
  lines.push('', `<sub>${NOTE}</sub>`);
  return lines.join('\n');
}


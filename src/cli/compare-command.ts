import { Option, type Command } from 'commander';
import { compareRuns, comparisonRows, type RunComparison } from '../report/compare.js';
import { formatComparison, formatComparisonMarkdown } from '../report/compare-format.js';
import type { ReportRun } from '../report/html.js';
import { compileConditions, type Condition } from '../conditions/condition.js';
import { producibleOfResults } from '../scenario/check-conditions.js';
import type { Results } from '../model/results.js';
import { readResults, STDIN } from '../results/writer.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { ExitCode } from './exit-codes.js';
import { formatTtsComparisonBox } from '../report/tts-team.js';
import { reportInputError } from './report-command.js';
import { writeOutputFile } from './output.js';

interface CompareFlags {
  target?: string[];
  format: string;
  output?: string;
  out?: string;
  failOn?: string[];
  seed: number;
}

const FORMATS = ['console', 'md', 'html'];
const FAIL_ON = ['worse', 'miss'];
const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `inferbench compare before.json after.json [more.json...]`: each later run against the first,
 * with bootstrap intervals, Mann-Whitney p-values, verdicts and PASS/MISS against targets.
 */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .argument('<before>', 'the baseline results file (- for standard input)')
    .argument('<after...>', 'one or more results files, each compared with the baseline; one of all the files may be - (standard input)')
    .description('compare runs: change of each metric, 95% bootstrap interval of the change of the median, Mann-Whitney p, verdict')
    .option('--target <expr>', 'a target such as "p95(ttft)<400ms" or "rtf<0.5", shown as PASS/MISS; repeatable', collect)
    .option('--format <format>', 'console | md (PR comments, $GITHUB_STEP_SUMMARY) | html (report with runs overlaid)', 'console')
    .option('-o, --output <file>', 'write to this file instead of stdout (html default: <last run>.compare.html)')
    // run and merge name their file with --out: the same flag works here.
    .addOption(new Option('--out <file>', 'same as --output').hideHelp())
    .option('--fail-on <what>', 'worse: exit 3 when any metric got worse; miss: exit 3 when the new run misses a target; repeatable', collect)
    .option('--seed <n>', 'seed for the bootstrap and subsampling', (v: string) => Number(v), 1)
    .action(async (before: string, after: string[], flags: CompareFlags) => {
      process.exitCode = await compareFromCli(before, after, flags);
    });
}

async function compareFromCli(beforePath: string, afterPaths: string[], flags: CompareFlags): Promise<ExitCode> {
  try {
    const problems: ConfigProblem[] = [];
    if (!FORMATS.includes(flags.format)) problems.push({ path: '--format', message: `expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(flags.format)}` });
    for (const f of flags.failOn ?? []) if (!FAIL_ON.includes(f)) problems.push({ path: '--fail-on', message: `expected one of ${FAIL_ON.join(', ')}, got ${JSON.stringify(f)}` });
    if (!Number.isInteger(flags.seed)) problems.push({ path: '--seed', message: 'expected an integer' });
    if ([beforePath, ...afterPaths].filter((p) => p === STDIN).length > 1) problems.push({ path: '<files>', message: 'standard input (-) can be read once; give the other runs as files' });
    if (problems.length) throw new ConfigError(problems);

    const paths = [beforePath, ...afterPaths];
    const runs = await Promise.all(paths.map((p) => readResults(p)));
    // Targets are judged on every run, so each is checked against what every run could measure.
    const targets = compareTargets(flags.target ?? [], runs);
    const baseline = runs[0]!;
    const comparisons: RunComparison[] = runs.slice(1).map((r, i) => compareRuns(baseline, r, { targets, seed: flags.seed, beforePath, afterPath: afterPaths[i] }));

    let text: string;
    if (flags.format === 'html') {
      const labels = runs.length === 2 ? ['before', 'after'] : runs.map((r, i) => `#${i + 1} ${r.name}`);
      const reportRuns: ReportRun[] = runs.map((results, i) => ({ label: labels[i]!, results }));
      text = (await import('../report/html.js')).renderHtmlReport(reportRuns, { comparisons });
    } else {
      text = `${comparisons.map(flags.format === 'md' ? formatComparisonMarkdown : formatComparison).join('\n\n')}\n`;
      // Two speech runs over named texts: the TTS team's own comparison box first.
      const boxes = runs.slice(1).map((r) => formatTtsComparisonBox(baseline, r)).filter((b) => b !== undefined);
      if (boxes.length) text = `${flags.format === 'md' ? boxes.map((b) => `\`\`\`\n${b}\n\`\`\``).join('\n\n') : boxes.join('\n\n')}\n\n${text}`;
    }
    const last = afterPaths.at(-1)!;
    const out = flags.output ?? flags.out ?? (flags.format === 'html' && last !== STDIN ? `${last.replace(/\.json$/i, '')}.compare.html` : undefined);
    if (out) {
      await writeOutputFile(out, text);
      process.stdout.write(`comparison: ${out}\n`);
    } else {
      process.stdout.write(text);
    }

    const rows = comparisons.flatMap(comparisonRows);
    const reasons: string[] = [];
    if (flags.failOn?.includes('worse')) for (const r of rows.filter((x) => x.verdict === 'worse')) reasons.push(`${r.label} got worse (${r.changePercent.toFixed(1)}%, interval excludes zero)`);
    if (flags.failOn?.includes('miss')) for (const r of rows.filter((x) => x.target && !x.target.after)) reasons.push(`target ${r.target!.text} missed`);
    if (reasons.length) {
      process.stderr.write(`compare --fail-on: ${reasons.join('; ')}\n`);
      return ExitCode.thresholdFailed;
    }
    return ExitCode.ok;
  } catch (err) {
    return reportInputError(err);
  }
}

/** `--target` conditions, checked against each results file's target before anything is printed. */
function compareTargets(texts: string[], runs: Results[]): Condition[] {
  if (!texts.length) return [];
  const sources = texts.map((text, i) => ({ field: `--target[${i}]`, text }));
  const problems: ConfigProblem[] = [];
  let compiled: Condition[] = [];
  for (const r of runs) {
    try {
      compiled = compileConditions(sources, 'phase', producibleOfResults(r)).flat();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) if (!problems.some((q) => q.path === p.path && q.message === p.message)) problems.push(p);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return compiled;
}

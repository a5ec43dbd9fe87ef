import { Option, type Command } from 'commander';
import { formatSummary } from '../report/console.js';
import { formatMarkdownSummary } from '../report/markdown.js';
import { compileConditions } from '../conditions/condition.js';
import { checkThresholds, formatThresholdOutcomes } from '../conditions/thresholds.js';
import { producibleOfResults } from '../scenario/check-conditions.js';
import { readResults, ResultsFileError, STDIN } from '../results/writer.js';
import { ConfigError } from '../model/config-error.js';
import { ExitCode } from './exit-codes.js';
import { OutputFileError } from '../results/redacting-sinks.js';
import { MergeError } from '../results/merge.js';
import { reportPathFor } from './run-command.js';
import { writeOutputFile } from './output.js';

interface ReportFlags {
  output?: string;
  out?: string;
  format: string;
  threshold?: string[];
}

const FORMATS = ['html', 'md', 'console'];

/** `inferbench report results.json`: re-renders any past run (HTML by default), optionally re-checking thresholds. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .argument('<results>', 'a results JSON file written by inferbench run; - reads it from standard input (inferbench run --json ... | inferbench report -)')
    .description('render a results file: a self-contained HTML report (default), markdown or the console summary')
    .option('-o, --output <file>', 'where to write (default: the results path with .html; md, console and results from standard input print to stdout)')
    // run and merge name their file with --out: the same flag works here.
    .addOption(new Option('--out <file>', 'same as --output').hideHelp())
    .option('--format <format>', 'html | md | console', 'html')
    .option('--threshold <expr>', 'check against the results, e.g. "p95(ttft)<400ms"; repeatable; a failure exits 3', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (file: string, flags: ReportFlags) => {
      process.exitCode = await reportFromCli(file, flags);
    });
}

async function reportFromCli(file: string, flags: ReportFlags): Promise<ExitCode> {
  try {
    if (!FORMATS.includes(flags.format)) throw new ConfigError([{ path: '--format', message: `expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(flags.format)}` }]);
    const results = await readResults(file);
    // Checked against what the recorded run could measure, before anything is written.
    const sources = (flags.threshold ?? []).map((text, i) => ({ field: `--threshold[${i}]`, text }));
    const thresholds = compileConditions(sources, 'phase', producibleOfResults(results)).flat();
    const outcomes = checkThresholds(results, thresholds);
    let text: string;
    if (flags.format === 'html') text = (await import('../report/html.js')).renderHtmlReport([{ label: results.name, results }], { thresholds: outcomes });
    else if (flags.format === 'md') text = `${formatMarkdownSummary(results, outcomes)}\n`;
    else text = `${formatSummary(results)}${outcomes.length ? `\n\n${formatThresholdOutcomes(outcomes)}` : ''}\n`;
    const out = flags.output ?? flags.out ?? (flags.format === 'html' && file !== STDIN ? reportPathFor(file) : undefined);
    if (out) {
      await writeOutputFile(out, text);
      process.stdout.write(`report: ${out}\n`);
    } else {
      process.stdout.write(text);
    }
    const failed = outcomes.filter((o) => !o.passed);
    if (failed.length) process.stderr.write(`${failed.map((o) => `threshold failed: ${o.message}`).join('\n')}\n`);
    return failed.length ? ExitCode.thresholdFailed : ExitCode.ok;
  } catch (err) {
    return reportInputError(err);
  }
}

/**
 * Bad flags, unreadable or inconsistent results files and unwritable outputs are the user's to
 * fix: exit 2 with a message naming the file, no stack. Anything else is a bug in inferbench.
 */
export function reportInputError(err: unknown): ExitCode {
  if (err instanceof ConfigError || err instanceof ResultsFileError || err instanceof OutputFileError || err instanceof MergeError) {
    process.stderr.write(`${err.message}\n`);
    return ExitCode.badConfig;
  }
  return reportBug(err);
}

/** An error no input explains: its message, and the stack only when asked (INFERBENCH_DEBUG=1). */
export function reportBug(err: unknown): ExitCode {
  const e = err as Error;
  process.stderr.write(`inferbench failed: ${e?.message ?? String(err)} (a bug in inferbench; INFERBENCH_DEBUG=1 shows where)\n`);
  if (process.env.INFERBENCH_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return ExitCode.runError;
}

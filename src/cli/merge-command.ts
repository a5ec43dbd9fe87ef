import type { Command } from 'commander';
import { formatSummary } from '../report/console.js';
import { readResults, ResultsFileError, writeResultsAtomic } from '../results/writer.js';
import { MergeError, mergeSegmentParts } from '../results/merge.js';
import { ExitCode } from './exit-codes.js';
import { cliRedactor } from './output.js';
import { onCtrlC } from './interrupt.js';
import { reportInputError } from './report-command.js';

export function registerMergeCommand(program: Command): Command {
  return program
    .command('merge')
    .description('merge the parts of a run split with --segment i/n (one per machine or pod) into one results file')
    .argument('<parts...>', 'part files written by inferbench run --segment i/n')
    .requiredOption('-o, --out <path>', 'where to write the merged results')
    .option('-q, --quiet', 'no summary')
    .action(async (files: string[], flags: { out: string; quiet?: boolean }) => {
      process.exitCode = await mergeFromCli(files, flags);
    });
}

export async function mergeFromCli(files: string[], flags: { out: string; quiet?: boolean }): Promise<ExitCode> {
  const interrupt = onCtrlC('Stopping: nothing will be written');
  try {
    const problems: string[] = [];
    const parts = [];
    for (const source of files) {
      try {
        parts.push({ source, results: await readResults(source) });
      } catch (err) {
        if (!(err instanceof ResultsFileError)) throw err;
        problems.push(err.message);
      }
    }
    if (problems.length) throw new MergeError(problems);
    const merged = mergeSegmentParts(parts, { commandLine: process.argv.slice(2) });
    // The write is atomic: stopped before it, there is no file; after it, a whole one.
    if (interrupt.interrupted) {
      process.stderr.write(`interrupted: ${flags.out} not written\n`);
      return ExitCode.interrupted;
    }
    await writeResultsAtomic(flags.out, merged, cliRedactor);
    if (!flags.quiet) process.stdout.write(`${formatSummary(merged, { color: Boolean(process.stdout.isTTY) })}\n\nmerged ${parts.length} parts: ${flags.out}\n`);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof MergeError) {
      process.stderr.write(`inferbench merge: ${err.message}\n`);
      return ExitCode.badConfig;
    }
    return reportInputError(err);
  } finally {
    interrupt.dispose();
  }
}

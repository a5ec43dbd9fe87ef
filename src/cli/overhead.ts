import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LOCAL_MODES, type LocalMode } from '../protocols/local/load-module.js';
import { checkOverheadThresholds, measureOverhead, OverheadInterruptedError, parseOverheadThreshold, type OverheadThreshold } from '../run/overhead.js';
import { onCtrlC } from './interrupt.js';
import { formatOverheadReport } from '../report/overhead-table.js';
import { ExitCode } from './exit-codes.js';

interface OverheadFlags {
  module: string;
  input?: string;
  rounds: string;
  warmup: string;
  modes?: string;
  aa?: boolean;
  seed: string;
  threshold?: string[];
  json?: boolean;
}

/** `inferbench overhead`: a library's generate() vs stream() vs streamAsync(), in process. */
export function registerOverheadCommand(program: Command): void {
  program
    .command('overhead')
    .description('compare a module\'s generate() (baseline), stream(input, onToken) and streamAsync(input): tokens/s, time per token, overhead % with a 95% bootstrap interval, callback cost, peak memory')
    .requiredOption('--module <path>', 'ESM module (.ts or .js) exporting generate / stream / streamAsync')
    .option('--input <json|@file>', 'input passed to every call (JSON, or @path to a JSON file)', '{}')
    .option('--rounds <n>', 'measured calls per mode', '30')
    .option('--warmup <n>', 'unmeasured calls per mode first', '3')
    .option('--modes <list>', `modes to compare, baseline first (comma-separated; from ${LOCAL_MODES.slice(0, 3).join(', ')})`)
    .option('--aa', 'also run the baseline as its own arm (A/A control: its interval shows the noise floor)')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--threshold <expr...>', 'fail (exit 3) unless it holds, e.g. "overhead(stream)<5%" "overhead(streamAsync)<10%"')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nRun node with --expose-gc (NODE_OPTIONS=--expose-gc) to collect garbage before every call.')
    .action(async (flags: OverheadFlags) => {
      process.exitCode = await overheadFromCli(flags);
    });
}

async function overheadFromCli(flags: OverheadFlags): Promise<ExitCode> {
  const problems: string[] = [];
  const int = (flag: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) problems.push(`--${flag}: expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const rounds = int('rounds', flags.rounds, 2);
  const warmup = int('warmup', flags.warmup, 0);
  const seed = int('seed', flags.seed, 0);
  let input: unknown = {};
  try {
    input = JSON.parse(flags.input?.startsWith('@') ? readFileSync(flags.input.slice(1), 'utf8') : (flags.input ?? '{}'));
  } catch (err) {
    problems.push(`--input: not valid JSON (${(err as Error).message}); pass JSON or @file.json`);
  }
  let modes: LocalMode[] | undefined;
  if (flags.modes) {
    modes = flags.modes.split(',').map((m) => m.trim()) as LocalMode[];
    for (const m of modes) if (!(LOCAL_MODES as readonly string[]).includes(m)) problems.push(`--modes: unknown mode "${m}"; use ${LOCAL_MODES.slice(0, 3).join(', ')}`);
  }
  const thresholds: OverheadThreshold[] = [];
  for (const t of flags.threshold ?? []) {
    try {
      thresholds.push(parseOverheadThreshold(t));
    } catch (err) {
      problems.push(`--threshold: ${(err as Error).message}`);
    }
  }
  if (problems.length) {
    process.stderr.write(`Invalid options (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return ExitCode.badConfig;
  }
  let report;
  const interrupt = onCtrlC('Stopping after the call in progress; reporting the calls made');
  try {
    report = await measureOverhead({ module: flags.module, input, rounds, warmup, modes, aa: flags.aa, seed, signal: interrupt.signal });
  } catch (err) {
    process.stderr.write(`inferbench overhead: ${(err as Error).message}\n`);
    return err instanceof OverheadInterruptedError ? ExitCode.interrupted : ExitCode.badConfig;
  } finally {
    interrupt.dispose();
  }
  const checks = checkOverheadThresholds(report, thresholds);
  if (flags.json) process.stdout.write(JSON.stringify({ ...report, thresholds: checks.map((c) => ({ text: c.threshold.text, passed: c.passed, message: c.message })) }, null, 2) + '\n');
  else process.stdout.write(formatOverheadReport(report) + '\n');
  for (const c of checks) process.stderr.write(`${c.message}\n`);
  if (report.interruptedAfterRounds !== undefined) {
    process.stderr.write(`interrupted: ${report.interruptedAfterRounds} of ${report.rounds} rounds measured\n`);
    return ExitCode.interrupted;
  }
  return checks.every((c) => c.passed) ? ExitCode.ok : ExitCode.thresholdFailed;
}

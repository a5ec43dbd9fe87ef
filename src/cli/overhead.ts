import { readFileSync } from 'node:fs';
import { withStdoutOnStderr } from './stdout-guard.js';
import type { Command } from 'commander';
import { compileConditions, type Condition } from '../conditions/condition.js';
import { armProblems, checkArmConditions, type ArmOutcome } from '../conditions/overhead.js';
import { ConfigError } from '../model/config-error.js';
import { importLocalModule, LOCAL_MODES, type LocalMode, type LocalModelModule } from '../protocols/local/load-module.js';
import { measureOverhead, OverheadInterruptedError, overheadArmNames, overheadArms } from '../run/overhead.js';
import { onCtrlC } from './interrupt.js';
import { writeOutputFile } from './output.js';
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
  strict?: boolean;
  json?: boolean;
  out?: string;
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
    .option(
      '--threshold <expr...>',
      'judged on the whole confidence interval, e.g. "overhead(stream)<5%" "overhead(streamAsync)<10%" "overhead<5%" (every mode) "p95(latency)<2s"; a failure exits 3',
    )
    .option('--strict', 'an inconclusive threshold (its interval straddles the bound) exits 3 too; without it, inconclusive exits 0 with a note')
    .option('--json', 'print the report as JSON (anything the module prints goes to stderr, so stdout stays one JSON document)')
    .option('--out <path>', 'also write the report as JSON to this file')
    .addHelpText(
      'after',
      '\nA threshold passes only when its whole interval meets the bound, fails when the whole interval misses it, and is\n' +
        'inconclusive when the interval straddles it (exit 0 with a note, or 3 with --strict): the rounds could not tell.\n' +
        'Run node with --expose-gc (NODE_OPTIONS=--expose-gc) to collect garbage before every call.',
    )
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
  let thresholds: Condition[] = [];
  try {
    thresholds = compileConditions((flags.threshold ?? []).map((text, i) => ({ field: `--threshold[${i}]`, text })), 'arm').flat();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems.map((p) => `${p.path}: ${p.message}`));
  }
  if (problems.length) return badOptions(problems);
  // The module's modes name the arms a threshold may name: checked before the first call.
  let mod: LocalModelModule;
  try {
    // The module's own prints (console.log in a model) must not break --json on stdout.
    mod = await withStdoutOnStderr(() => importLocalModule(flags.module));
    const { arms } = overheadArmNames(mod, { modes, aa: flags.aa });
    const armIssues = armProblems(thresholds, arms, arms[0]!);
    if (armIssues.length) return badOptions(armIssues.map((p) => `--threshold: ${p}`));
  } catch (err) {
    process.stderr.write(`inferbench overhead: ${(err as Error).message}\n`);
    return ExitCode.badConfig;
  }
  let report;
  const interrupt = onCtrlC('Stopping after the call in progress; reporting the calls made');
  try {
    report = await withStdoutOnStderr(() => measureOverhead({ module: mod, input, rounds, warmup, modes, aa: flags.aa, seed, signal: interrupt.signal }));
    report.module = flags.module;
  } catch (err) {
    process.stderr.write(`inferbench overhead: ${(err as Error).message}\n`);
    return err instanceof OverheadInterruptedError ? ExitCode.interrupted : ExitCode.badConfig;
  } finally {
    interrupt.dispose();
  }
  const checks = checkArmConditions(overheadArms(report), thresholds);
  const judged = checks.map((c) => ({ text: c.condition.text, mode: c.arm, status: c.status, passed: c.passed, message: c.message }));
  const json = JSON.stringify({ ...report, thresholds: judged }, null, 2) + '\n';
  if (flags.out) {
    try {
      await writeOutputFile(flags.out, json);
    } catch (err) {
      // Unwritable --out: named, with the cause; what was measured still prints below.
      process.stderr.write(`inferbench overhead: ${(err as Error).message}\n`);
      flags.out = undefined;
    }
  }
  if (flags.json) process.stdout.write(json);
  else process.stdout.write(formatOverheadReport(report) + '\n');
  for (const w of report.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  if (flags.out && !flags.json) process.stdout.write(`report: ${flags.out}\n`);
  for (const c of checks) process.stderr.write(`${c.message}\n`);
  if (report.interruptedAfterRounds !== undefined) {
    process.stderr.write(`interrupted: ${report.interruptedAfterRounds} of ${report.rounds} rounds measured\n`);
    return ExitCode.interrupted;
  }
  const verdict = overheadVerdict(checks, Boolean(flags.strict));
  if (verdict.note) process.stderr.write(`${verdict.note}\n`);
  return verdict.code;
}

/**
 * The exit code of judged overhead thresholds: 3 when any failed (or measured nothing); an
 * inconclusive one (its interval straddles the bound) exits 0 with a note, because the rounds
 * could not tell either way and failing a build on noise teaches people to ignore it; `--strict`
 * makes it exit 3 for those who must prove the bound holds.
 */
export function overheadVerdict(checks: readonly Pick<ArmOutcome, 'status'>[], strict: boolean): { code: ExitCode; note?: string } {
  const inconclusive = checks.filter((c) => c.status === 'inconclusive').length;
  const failed = checks.some((c) => c.status === 'fail' || c.status === 'not measured' || (strict && c.status === 'inconclusive'));
  const note = inconclusive
    ? `note: ${inconclusive} threshold${inconclusive === 1 ? ' was' : 's were'} inconclusive (the interval straddles the bound; more --rounds narrow it); ${strict ? 'counted as failed (--strict)' : 'not counted as failed (use --strict to fail on them)'}`
    : undefined;
  return { code: failed ? ExitCode.thresholdFailed : ExitCode.ok, note };
}

function badOptions(problems: string[]): ExitCode {
  process.stderr.write(`Invalid options (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return ExitCode.badConfig;
}

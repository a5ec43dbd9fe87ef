import type { Command } from 'commander';
import { join } from 'node:path';
import { capacityResults, findCapacity, requestsForPercentiles, type CapacityAxis, type CapacityProbe } from '../run/capacity-search.js';
import { resultsFileName, writeResultsAtomic } from '../results/writer.js';
import { onCtrlC } from './interrupt.js';
import { cliRedactor, hideSecrets } from './output.js';
import { table } from '../report/console.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { resolveScenario } from '../scenario/load-scenario.js';
import { compileConditions, formatMeasured, type Condition } from '../conditions/condition.js';
import { producibleOf } from '../scenario/check-conditions.js';
import { ExitCode } from './exit-codes.js';
import { readScenarioObject, reportFailure } from './run-command.js';
import { addRunFlags, applyRunFlags, type RunFlags } from './run-flags.js';

interface CapacityFlags extends RunFlags {
  over?: string;
  start?: string;
  max?: string;
  step?: string;
  json?: boolean;
}

export function registerCapacityCommand(program: Command): void {
  addRunFlags(program.command('capacity').argument('[scenario]', 'YAML or JSON scenario file; flags override its fields'))
    .description('find the highest concurrency (or rate) whose run meets every SLO, e.g. --slo "p95(ttfc)<400ms and p99(latency)<750ms"')
    .option('--over <axis>', 'concurrency | rate', 'concurrency')
    .option('--start <n>', 'first load probed', '1')
    .option('--max <n>', 'highest load probed', '256')
    .option('--step <n>', 'resolution of the answer (1 for concurrency)', '1')
    .option('--json', 'print the search as JSON to stdout')
    .addHelpText(
      'after',
      '\nEach probe warms up (max(5, load) requests) and then measures max(-n, 20/(1-p)) requests for the tightest percentile p\n(p95: 400, p99: 2000), so the percentile rests on at least 20 requests beyond it.',
    )
    .action(async (file: string | undefined, flags: CapacityFlags) => {
      process.exitCode = await capacityFromCli(file, flags);
    });
}

async function capacityFromCli(file: string | undefined, flags: CapacityFlags): Promise<ExitCode> {
  const out = flags.json ? process.stderr : process.stdout;
  try {
    const problems: ConfigProblem[] = [];
    if (!flags.slo?.length) problems.push({ path: '--slo', message: 'required: the conditions every probe must meet, e.g. --slo "p95(ttfc)<400ms and p99(latency)<750ms"' });
    const over = flags.over as CapacityAxis;
    if (over !== 'concurrency' && over !== 'rate') problems.push({ path: '--over', message: `expected concurrency or rate, got ${JSON.stringify(flags.over)}` });
    const num = (name: string, v: string | undefined) => {
      const n = Number(v);
      if (!(n > 0)) problems.push({ path: `--${name}`, message: `expected a number above 0, got ${JSON.stringify(v)}` });
      return n;
    };
    const start = num('start', flags.start);
    const max = num('max', flags.max);
    const step = num('step', flags.step);
    if (over === 'concurrency' && ![start, max, step].every(Number.isInteger)) problems.push({ path: '--start/--max/--step', message: 'concurrency takes whole numbers' });
    const raw = file ? await readScenarioObject(file) : {};
    const scenarioRaw = applyRunFlags(raw, { ...flags, slo: undefined });
    let loaded: ReturnType<typeof resolveScenario> | undefined;
    try {
      loaded = resolveScenario(scenarioRaw, process.env, file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
    // Capacity SLOs judge each probe as a whole (p95(ttfc)<400ms), checked against what the target can produce.
    let conditions: Condition[] = [];
    try {
      const sources = (flags.slo ?? []).map((text, i) => ({ field: `--slo[${i}]`, text }));
      conditions = compileConditions(sources, 'phase', producibleOf(loaded?.scenario.target ?? (scenarioRaw as { target?: unknown }).target)).flat();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
    if (loaded) hideSecrets(loaded.secrets);
    // Every problem (flags, scenario, conditions) is reported at once, before any load.
    if (problems.length || !loaded) throw new ConfigError(problems);
    out.write(`capacity over ${over} for ${conditions.map((c) => c.text).join(' and ')}; ${Math.max(requestsForPercentiles(conditions), flags.requests ?? 0)} measured requests per probe\n`);
    const startedAt = new Date();
    const interrupt = onCtrlC('Stopping: ending the probe in flight; printing and writing the probes so far');
    let result;
    try {
      result = await findCapacity(loaded.raw, {
        conditions,
        over,
        start,
        max,
        step,
        minRequests: flags.requests,
        secrets: loaded.secrets,
        signal: interrupt.signal,
        onProbe: (p) => out.write(`  ${over}=${p.load}: ${p.interrupted ? 'stopped mid-probe' : p.met ? 'meets' : 'misses'} (${describe(p)})\n`),
      });
    } finally {
      interrupt.dispose();
    }
    out.write(`\n${table([over, 'requests', 'ok', 'failed', ...conditions.map((c) => c.text), 'verdict'], result.probes.map((p) => row(p, conditions))).join('\n')}\n`);
    out.write(`\n${result.interrupted ? 'interrupted: ' : ''}${result.answer}\n(each probe: ${result.requestsPerProbe} measured requests after max(5, load) warmup)\n`);
    // Always a results file (every probe a load point), complete or, after Ctrl+C, as far as it got.
    const scenario = loaded.scenario;
    const resultsFile = capacityResults(result, { name: scenario.name, commandLine: process.argv.slice(2), startedAt, scenario: loaded.secrets.redact(scenario as unknown as Record<string, unknown>) });
    if (resultsFile) {
      const path = scenario.output.file ?? join(scenario.output.dir, resultsFileName(`${scenario.name}_capacity`, startedAt));
      await writeResultsAtomic(path, resultsFile, cliRedactor);
      out.write(`results: ${path}\n`);
    }
    const { firstRun: _meta, ...search } = result;
    if (flags.json) process.stdout.write(JSON.stringify({ ...search, probes: search.probes.map(({ point: _point, ...p }) => p) }, null, 2) + '\n');
    return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
  } catch (err) {
    return reportFailure(err);
  }
}

function describe(p: CapacityProbe): string {
  return p.verdicts.map((v) => `${v.condition.subject} ${v.value === undefined ? 'n/a' : formatMeasured(v.condition, v.value)}`).join(', ');
}

function row(p: CapacityProbe, conditions: Condition[]): string[] {
  return [String(+p.load.toFixed(6)), String(p.requests), String(p.ok), String(p.failed), ...p.verdicts.map((v) => (v.value === undefined ? 'n/a' : formatMeasured(v.condition, v.value))), p.interrupted ? 'stopped' : p.met ? 'meets' : 'misses'].slice(0, 5 + conditions.length);
}

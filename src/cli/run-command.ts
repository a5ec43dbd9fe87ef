import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { METRIC_FAMILIES, METRICS, type MetricDefinition } from '../model/metrics.js';
import { descriptorOf } from '../protocols/registry.js';
import { formatSummary } from '../report/console.js';
import { createRunConsole, DEBUG_SWITCHES, formatSeedSummary, type DebugSwitch } from '../report/gradio-console.js';
import { renderHtmlReport } from '../report/html.js';
import { formatMarkdownSummary } from '../report/markdown.js';
import { checkThresholds, formatThresholdOutcomes, parseThresholds, type Threshold } from '../conditions/thresholds.js';
import { resultsFileName } from '../results/writer.js';
import { formatSpeechReport } from '../report/speech.js';
import { ProgressLine } from '../report/progress.js';
import { run, type RunResult } from '../run/runner.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { resolveScenario } from '../scenario/load-scenario.js';
import { parseScenarioText } from '../scenario/scenario-text.js';
import { TargetUnreachableError } from '../run/probe.js';
import { ExitCode } from './exit-codes.js';
import { addRunFlags, applyRunFlags, type RunFlags } from './run-flags.js';
import { addScaleFlags, scaleRunOptions, type ScaleFlags } from './scale-flags.js';
import { hideSecrets, writeOutputFile } from './output.js';
import { onCtrlC } from './interrupt.js';
import { OutputFileError } from '../results/redacting-sinks.js';

export interface OutputFlags extends ScaleFlags {
  json?: boolean;
  quiet?: boolean;
  /** A block per request (RUN i/N) with its timings and output preview. */
  verbose?: boolean;
  /** post | sse | text, combinable. */
  debug?: string[];
  /** `html`: also write a self-contained HTML report next to the results. */
  report?: string;
  /** `md`: print the summary as markdown (CI logs, $GITHUB_STEP_SUMMARY). */
  summary?: string;
}

export function registerRunCommand(program: Command): void {
  addScaleFlags(addRunFlags(program.command('run').argument('[scenario]', 'YAML or JSON scenario file; flags override its fields')))
    .description('benchmark an endpoint (a scenario file, flags, or both)')
    .option('--json', 'print the results JSON to stdout (human output goes to stderr)')
    .option('-q, --quiet', 'no progress line and no summary')
    .option('-v, --verbose', 'print a block per request (RUN i/N): timings and an output preview')
    .option('--debug <what...>', 'print raw wire data: post (POST answers), sse (every stream line with its arrival time), text (final text); combinable')
    .addHelpText('after', metricsHelp())
    .option('--report <format>', 'html: also write a self-contained HTML report next to the results')
    .option('--summary <format>', 'md: print the summary as markdown (for CI logs and $GITHUB_STEP_SUMMARY)')
    .action(async (file: string | undefined, flags: RunFlags & OutputFlags) => {
      process.exitCode = await runFromCli(file, flags);
    });
}

/** Reads the scenario file (if any), lays the flags over it, runs, prints, and returns the exit code. */
export async function runFromCli(file: string | undefined, flags: RunFlags & OutputFlags): Promise<ExitCode> {
  const human = flags.json ? process.stderr : process.stdout;
  let raw: Record<string, unknown> = {};
  try {
    if (file) raw = await readScenarioObject(file);
    const loaded = resolveScenario(applyRunFlags(raw, flags), process.env, file);
    return await runAndReport(() => loaded, flags, human);
  } catch (err) {
    return reportFailure(err);
  }
}

export async function readScenarioObject(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read scenario file ${file}: ${(err as Error).message}` }]);
  }
  return parseScenarioText(text, file);
}

/**
 * Runs with a progress line and Ctrl+C handling (stop, keep what was measured, write it, exit 130),
 * then prints the summary (and the JSON with --json).
 */
export async function runAndReport(
  load: () => ReturnType<typeof resolveScenario>,
  flags: OutputFlags,
  human: NodeJS.WriteStream,
): Promise<ExitCode> {
  const loaded = load();
  hideSecrets(loaded.secrets);
  // Everything a user can get wrong is reported before any load is sent.
  const problems: ConfigProblem[] = [];
  if (flags.report !== undefined && flags.report !== 'html') problems.push({ path: '--report', message: `expected "html", got ${JSON.stringify(flags.report)}` });
  if (flags.summary !== undefined && flags.summary !== 'md') problems.push({ path: '--summary', message: `expected "md", got ${JSON.stringify(flags.summary)}` });
  let thresholds: Threshold[] = [];
  try {
    thresholds = parseThresholds(loaded.scenario.thresholds);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const debugSwitches = parseDebugSwitches(flags.debug, problems);
  if (problems.length) throw new ConfigError(problems);
  const scale = scaleRunOptions(flags);
  const target = loaded.scenario.target;
  const descriptor = descriptorOf(target.protocol)!;
  const runConsole = createRunConsole({
    verbose: Boolean(flags.verbose),
    debug: debugSwitches,
    family: descriptor.families(target)[0]!,
    textual: descriptor.textual(target),
    textHint: descriptor.textHint,
    plannedRequests: loaded.scenario.load.requests,
    write: (text) => process.stderr.write(text),
  });
  const progress = new ProgressLine(process.stderr);
  const interrupt = onCtrlC('Stopping: ending in-flight requests and writing what was measured', () => progress.clear());
  const controller = { signal: interrupt.signal };
  let result: RunResult;
  try {
    result = await run(loaded, {
      signal: controller.signal,
      commandLine: process.argv.slice(2),
      ...scale,
      onProgress: flags.quiet || flags.verbose || debugSwitches.size ? undefined : (p) => progress.update(p),
      onRequest: flags.quiet ? undefined : runConsole.onRequest,
      debug: runConsole.debug,
      keepFullText: debugSwitches.has('text'),
    });
  } finally {
    interrupt.dispose();
    progress.clear();
  }
  const { results, path } = result;
  const outcomes = checkThresholds(results, thresholds);
  let reportPath: string | undefined;
  if (flags.report === 'html') {
    const scenario = loaded.scenario;
    reportPath = reportPathFor(path ?? join(scenario.output.dir, resultsFileName(scenario.name, new Date(results.startedAtEpochMs))));
    await writeOutputFile(reportPath, renderHtmlReport([{ label: results.name, results }], { thresholds: outcomes }));
  }
  if (!flags.quiet) {
    const summary = flags.summary === 'md' ? formatMarkdownSummary(results, outcomes) : formatSummary(results, { color: Boolean(human.isTTY) });
    human.write(summary + '\n');
    const speech = formatSpeechReport(results);
    if (speech) human.write(speech + '\n');
    if (target.protocol === 'gradio' || flags.verbose) human.write(formatSeedSummary(results) + '\n');
    if (outcomes.length && flags.summary !== 'md') human.write(`\n${formatThresholdOutcomes(outcomes)}\n`);
    if (path) human.write(`\nresults: ${path}\n`);
    if (result.recordsPath) human.write(`records: ${result.recordsPath}\n`);
    if (reportPath) human.write(`report: ${reportPath}\n`);
  }
  const failed = outcomes.filter((o) => !o.passed);
  // Failures are named even with --quiet or --json: CI must see why it failed.
  if (failed.length && (flags.quiet || flags.json)) process.stderr.write(`${failed.map((o) => `threshold failed: ${o.message}`).join('\n')}\n`);
  if (flags.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  if (controller.signal.aborted) return ExitCode.interrupted;
  return failed.length ? ExitCode.thresholdFailed : ExitCode.ok;
}

/** `<results>.json` → `<results>.html`. */
export function reportPathFor(resultsPath: string): string {
  return `${resultsPath.replace(/\.json$/i, '')}.html`;
}

/** Every metric's definition, by family, printed under `inferbench run --help` (defined once, in model/metrics.ts). */
function metricsHelp(): string {
  const rows = Object.entries(METRICS as Record<string, MetricDefinition>);
  const width = Math.max(...rows.map(([name]) => name.length));
  const line = ([name, d]: [string, MetricDefinition]) => `    ${name.padEnd(width)}  [${d.unit}] ${d.definition}`;
  const groups: [string, [string, MetricDefinition][]][] = [
    ['every request', rows.filter(([, d]) => !d.families && !d.streamOnly && !d.inProcessOnly && d.level !== 'run')],
    ['every stream', rows.filter(([, d]) => !d.families && d.streamOnly)],
    ...METRIC_FAMILIES.filter((f) => f !== 'unary').map((f): [string, [string, MetricDefinition][]] => [`${f} family`, rows.filter(([, d]) => d.families?.includes(f) && d.level !== 'run')]),
    ['in-process targets (local)', rows.filter(([, d]) => d.inProcessOnly)],
    ['per load point', rows.filter(([, d]) => d.level === 'run')],
  ];
  return `
Metrics. A run reports only its protocol's family: unary (one answer: latency, TTFB, status), text
(tokens: TTFT, ITL, TPOT, tokens/s), audio (samples: TTFC, audio seconds, RTF) or frames (FPS, frame
latency); stream metrics only for streamed answers. All from one monotonic clock; percentiles from HDR
histograms (3 significant digits).
${groups.map(([title, list]) => `  ${title}:\n${list.map(line).join('\n')}`).join('\n')}
`;
}

/** `--debug post sse` or `--debug post,sse`; an unknown switch is a config error naming the choices. */
function parseDebugSwitches(values: string[] | undefined, problems: ConfigProblem[]): Set<DebugSwitch> {
  const switches = new Set<DebugSwitch>();
  const bad: string[] = [];
  for (const value of (values ?? []).flatMap((v) => v.split(','))) {
    const name = value.trim();
    if ((DEBUG_SWITCHES as readonly string[]).includes(name)) switches.add(name as DebugSwitch);
    else if (name) bad.push(name);
  }
  problems.push(...bad.map((name) => ({ path: '--debug', message: `unknown switch "${name}"; use ${DEBUG_SWITCHES.join(', ')} (combinable)` })));
  return switches;
}

export function reportFailure(err: unknown): ExitCode {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return ExitCode.badConfig;
  }
  if (err instanceof TargetUnreachableError) {
    process.stderr.write(`${err.message}\n`);
    return ExitCode.runError;
  }
  if (err instanceof OutputFileError) {
    process.stderr.write(`${err.message}\n`);
    return ExitCode.runError;
  }
  const partial = (err as { partial?: RunResult }).partial;
  process.stderr.write(`inferbench failed: ${(err as Error).stack ?? String(err)}\n`);
  if (partial?.path) process.stderr.write(`what was measured before the failure: ${partial.path}\n`);
  return ExitCode.runError;
}

import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { METRIC_FAMILIES, METRICS, type MetricDefinition } from '../model/metrics.js';
import { descriptorOf } from '../protocols/registry.js';
import { formatSummary } from '../report/console.js';
import { createRunConsole, DEBUG_SWITCHES, formatRunHeader, formatSeedSummary, type DebugSwitch } from '../report/gradio-console.js';
import { formatMarkdownSummary } from '../report/markdown.js';
import { checkThresholds, formatThresholdOutcomes, scenarioThresholds } from '../conditions/thresholds.js';
import { resultsFileName } from '../results/writer.js';
import { formatSpeechReport } from '../report/speech.js';
import { formatStages } from '../report/stages.js';
import { eventLoopWatch, liveKeyMetrics, startLiveDisplay, type LiveDisplay } from '../report/live-view.js';
import { familiesOf, type Target } from '../protocols/registry.js';
import { LiveStats } from '../live/live-stats.js';
import { parseExports, startExports, type ExportSpec, type RunExports } from '../export/exports.js';
import { parseDurationMs } from '../model/units.js';
import { run, type RunOptions, type RunResult } from '../run/runner.js';
import { runProfile } from '../run/profile.js';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { resolveScenario } from '../scenario/load-scenario.js';
import { parseScenarioText } from '../scenario/scenario-text.js';
import { resolveScenarioPaths } from '../scenario/paths.js';
import { TargetUnreachableError } from '../run/probe.js';
import { ExitCode } from './exit-codes.js';
import { withStdoutOnStderr } from './stdout-guard.js';
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
  /** `prometheus-rw=URL`, `ndjson=PATH|-`; repeatable. */
  export?: string[];
  /** Without a terminal: time between plain progress lines, e.g. `5s`. */
  progressInterval?: string;
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
    .option('--export <spec>', 'stream per-second series while the run goes, and the final summaries: prometheus-rw=URL (Prometheus remote write) or ndjson=PATH|- ; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--progress-interval <duration>', 'without a terminal (CI logs): time between progress lines', '5s')
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
    let loaded: ReturnType<typeof resolveScenario>;
    try {
      // Conditions from flags are named as flags in messages (`--threshold[0]`), not as the merged scenario field.
      loaded = resolveScenario(applyRunFlags(raw, flags), process.env, file, { thresholdsFromFlags: flags.threshold?.length ?? 0, sloFromFlags: Boolean(flags.slo?.length) });
    } catch (err) {
      // The output flags' problems are reported with the scenario's, all at once.
      if (err instanceof ConfigError) throw new ConfigError([...err.problems, ...outputFlagProblems(flags)], err.source);
      throw err;
    }
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
  // Parsed in time linear in the text, with a nesting limit (scenario-text.ts). Files the scenario names
  // are relative to the scenario file; flags laid over it stay relative to the current directory.
  return resolveScenarioPaths(parseScenarioText(text, file), dirname(resolve(file)));
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
  const problems = outputFlagProblems(flags);
  // Checked against the target when the scenario was resolved; every problem was reported then.
  const thresholds = scenarioThresholds(loaded.scenario.thresholds);
  const debugSwitches = parseDebugSwitches(flags.debug, []);
  const exportsParsed = parseExports(flags.export ?? []);
  const plainIntervalMs = progressIntervalMs(flags) ?? 5000;
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
    header: target.protocol === 'gradio' ? formatRunHeader(loaded.scenario.load.requests, (loaded.scenario.target as { data?: unknown }).data) : undefined,
    write: (text) => process.stderr.write(text),
  });
  // The live view and the exports read one stream of finished requests and progress counts.
  const showLive = !(flags.quiet || flags.verbose || debugSwitches.size);
  const loop = showLive ? eventLoopWatch() : undefined;
  const family = familiesOf(loaded.scenario.target as Target)[0] ?? { family: 'unary', streamed: false };
  const stats =
    showLive || exportsParsed.specs.length
      ? new LiveStats({ family, keyMetrics: liveKeyMetrics(family), openLoop: loaded.scenario.load.mode === 'rate', clientSample: loop?.sample })
      : undefined;
  const display: LiveDisplay | undefined = showLive ? await startLiveDisplay(process.stderr, stats!, { plainIntervalMs }) : undefined;
  const exports: RunExports | undefined = exportsParsed.specs.length ? startExports(exportsParsed.specs, stats!, { job: 'inferbench', run: loaded.scenario.name }, { redact: (text) => loaded.secrets.redactText(text), stdout: process.stdout }) : undefined;
  const interrupt = onCtrlC('Stopping: finishing in-flight requests and writing what was measured', {
    show: display ? (notice) => display.note(notice) : undefined,
    beforeQuit: () => display?.stop(),
  });
  const controller = { signal: interrupt.signal };
  let result: RunResult | undefined;
  try {
    const runOptions = {
      signal: controller.signal,
      commandLine: process.argv.slice(2),
      ...scale,
      onProgress: stats ? (p: Parameters<NonNullable<RunOptions['onProgress']>>[0]) => stats.onProgress(p) : undefined,
      onRequest:
        flags.quiet && !stats
          ? undefined
          : (t: Parameters<NonNullable<RunOptions['onRequest']>>[0], phase: Parameters<NonNullable<RunOptions['onRequest']>>[1], label: string) => {
              stats?.onRequest(t, phase, label);
              if (!flags.quiet) runConsole.onRequest(t, phase);
            },
      debug: runConsole.debug,
      keepFullText: debugSwitches.has('text'),
    };
    const profile = loaded.scenario.profile;
    // With --json, stdout is the results document: a local module's own prints go to stderr.
    const guard = flags.json ? withStdoutOnStderr : <T>(fn: () => Promise<T>) => fn();
    result = await guard(() => (profile ? runProfile(loaded, profile, runOptions) : run(loaded, runOptions)));
  } catch (err) {
    result = (err as { partial?: RunResult }).partial;
    throw err;
  } finally {
    interrupt.dispose();
    display?.stop();
    loop?.stop();
    // What was measured is exported even when the run failed midway.
    const notes = (await exports?.finish(result?.results)) ?? [];
    for (const note of notes) process.stderr.write(`warning: ${loaded.secrets.redactText(note)}\n`);
  }
  const { results, path, secrets } = result!;
  const outcomes = checkThresholds(results, thresholds);
  let reportPath: string | undefined;
  if (flags.report === 'html') {
    const scenario = loaded.scenario;
    reportPath = reportPathFor(path ?? join(scenario.output.dir, resultsFileName(scenario.name, new Date(results.startedAtEpochMs))));
    const calls = result.recordsPath ? await readRecords(result.recordsPath) : undefined;
    await writeOutputFile(reportPath, (await import('../report/html.js')).renderHtmlReport([{ label: results.name, results }], { thresholds: outcomes, calls }));
  }
  if (!flags.quiet) {
    const summary = flags.summary === 'md' ? formatMarkdownSummary(results, outcomes) : formatSummary(results, { color: Boolean(human.isTTY) });
    human.write(summary + '\n');
    const stages = formatStages(results);
    if (stages) human.write(`\n${stages}\n`);
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
  const nothingWorked = noRequestSucceeded(results);
  if (nothingWorked) {
    process.stderr.write(`${secrets.redactText(nothingWorked)}\n`);
    return ExitCode.runError;
  }
  return failed.length ? ExitCode.thresholdFailed : ExitCode.ok;
}

/** A records file (CSV or NDJSON) as columns and rows, for the HTML report's per-call table. */
async function readRecords(path: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.csv')) {
    const { parse: parseCsv } = await import('csv-parse/sync');
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as Record<string, unknown>[];
    return { columns: text.slice(0, text.indexOf('\n')).split(','), rows };
  }
  const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { columns: [...new Set(rows.flatMap((r) => Object.keys(r)))], rows };
}

/** Why a run counts as failed although it completed: not one measured request succeeded (CI must not pass it). */
export function noRequestSucceeded(results: RunResult['results']): string | undefined {
  const measured = results.points.map((p) => p.measure.counts);
  if (measured.some((c) => c.ok > 0)) return undefined;
  const sent = measured.reduce((n, c) => n + c.sent, 0);
  const errors = measured.flatMap((c) => c.errors).sort((a, b) => b.count - a.count);
  const top = errors[0] ? `; most common error (${errors[0].count}×): ${errors[0].message}` : '';
  return `no request succeeded: ${sent} sent, none ok${top}`;
}

/** `<results>.json` → `<results>.html`. */
export function reportPathFor(resultsPath: string): string {
  return `${resultsPath.replace(/\.json$/i, '')}.html`;
}

/** Every metric's definition, by family, and the condition language, printed under `inferbench run --help` (defined once, in model/metrics.ts). */
function metricsHelp(): string {
  const all = Object.entries(METRICS as Record<string, MetricDefinition>);
  const rows = all.filter(([, d]) => !d.aliasOf && !d.overheadOnly);
  const aliases = all.filter(([, d]) => d.aliasOf).map(([name, d]) => `${name} = ${d.aliasOf}`);
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
  (also: ${aliases.join(', ')})
${CONDITIONS_HELP}`;
}

const CONDITIONS_HELP = `
Conditions (--threshold, --slo, scenario thresholds / slo / targets, capacity --slo, compare --target, overhead --threshold):
  [aggregation(]metric[)] < | <= | > | >= number[unit], joined with "and"
  e.g. "p95(ttft)<400ms"  "p999(latency)<10s"  "p95(ttft)<2min"  "error_rate<1%"  "rtf<0.5"  "fps>20"  "vram<16GB"
  aggregations: p50 p90 p95 p99 p999 (p99.9) or any pN, median, mean, min, max, std, count, rate
               (a bare per-request metric means its mean; --slo takes none: each request is checked)
  units: us ms s min h, %, B KB MB GB KiB MiB GiB, tokens, tokens/s, req/s, frames/s (fps), /s; plain for ratios
         and counts. Times and sizes need their unit; in scenario durations a bare number is seconds.
  A condition on a metric the target cannot produce, a typo or a unit that does not fit exits 2 before any request.
`;

/** Problems with the flags that shape the output (--report, --summary, --debug). */
function outputFlagProblems(flags: OutputFlags): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (flags.report !== undefined && flags.report !== 'html') problems.push({ path: '--report', message: `expected "html", got ${JSON.stringify(flags.report)}` });
  if (flags.summary !== undefined && flags.summary !== 'md') problems.push({ path: '--summary', message: `expected "md", got ${JSON.stringify(flags.summary)}` });
  parseDebugSwitches(flags.debug, problems);
  const exportsParsed = parseExports(flags.export ?? []);
  problems.push(...exportsParsed.problems);
  if (flags.json && exportsParsed.specs.some((e) => e.kind === 'ndjson' && e.path === '-')) problems.push({ path: '--export', message: 'ndjson=- and --json both write to standard output; send the ndjson to a file (ndjson=live.ndjson)' });
  if (flags.progressInterval !== undefined && progressIntervalMs(flags) === undefined) problems.push({ path: '--progress-interval', message: `expected a duration above 0 such as 2s or 500ms, got ${JSON.stringify(flags.progressInterval)}` });
  return problems;
}

/** `--progress-interval` in ms; undefined when absent or not a duration above 0. */
function progressIntervalMs(flags: OutputFlags): number | undefined {
  if (flags.progressInterval === undefined) return undefined;
  const ms = parseDurationMs(flags.progressInterval, 'reject');
  return ms !== undefined && ms > 0 ? ms : undefined;
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

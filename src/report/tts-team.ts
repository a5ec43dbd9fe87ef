/**
 * The TTS team's own formats: their results file (`metadata`, `configuration`,
 * `results.<text>`, `summary`, as their benchmark script writes it) and their comparison box
 * ("BENCHMARK COMPARISON", a hardware line, overall and per-text rows, "Target status: k/n").
 * Both read a Results value only.
 */
import type { PerTextResult, Results, TargetResult } from '../model/results.js';
import { fmt } from './table.js';

const MIB_TO_GB = 2 ** 20 / 1e9;

export interface TtsTeamResultsFile {
  metadata: { timestamp: string; benchmark_type: string; warmup_runs: number; measurement_runs: number; tool: string };
  configuration: Record<string, string | number>;
  results: Record<string, PerTextResult>;
  summary: NonNullable<Results['perText']>['summary'];
}

/** The team's results-file layout; undefined for a run that measured no named texts. */
export function ttsTeamResultsFile(results: Results): TtsTeamResultsFile | undefined {
  if (!results.perText) return undefined;
  const textPoints = results.points.filter((p) => p.text);
  const scenario = results.scenario as { target?: { model?: string; batch_size?: number }; description?: string };
  return {
    metadata: {
      timestamp: results.startedAt,
      benchmark_type: results.name,
      warmup_runs: textPoints[0]?.warmup?.sent ?? 0,
      measurement_runs: textPoints[0]?.measure.counts.sent ?? 0,
      tool: `inferbench ${results.tool.version}`,
    },
    configuration: hardwareOf(results),
    results: results.perText.results,
    summary: results.perText.summary,
  };
}

function hardwareOf(results: Results): Record<string, string | number> {
  const gpu = results.points.map((p) => p.measure.gpu?.devices[0]).find((d) => d);
  const target = (results.scenario as { target?: { model?: string; batch_size?: number } }).target;
  const out: Record<string, string | number> = {};
  if (gpu) {
    out.gpu = gpu.name;
    out.gpu_memory_gb = Math.round(gpu.memoryTotalMiB * MIB_TO_GB);
  }
  out.cpu = results.host.cpuModel;
  out.host = results.host.hostname;
  if (target?.model) out.model = target.model;
  out.batch_size = target?.batch_size ?? 1;
  return out;
}

function hardwareLine(results: Results): string {
  const h = hardwareOf(results);
  return h.gpu ? `${h.gpu} (${h.gpu_memory_gb}GB)` : `${h.cpu} (${results.host.cpus} CPUs, no GPU sampled)`;
}

interface Row {
  metric: string;
  before?: number;
  after?: number;
  unit: 'ms' | '' | 'GB';
}

function overallRows(r: Results): Record<string, number | undefined> {
  const s = r.perText?.summary;
  const ttfc = Object.values(r.perText?.results ?? {}).filter((t) => t.ttfc);
  const weighted = ttfc.reduce((a, t) => a + t.ttfc!.mean_ms * t.requests, 0) / Math.max(1, ttfc.reduce((a, t) => a + t.requests, 0));
  return { 'Mean Latency': s?.overall_mean_ms, 'P95 Latency': s?.overall_p95_ms, RTF: s?.overall_rtf, TTFC: ttfc.length ? weighted : undefined, 'VRAM Usage': s?.max_vram_gb };
}

const UNIT: Record<string, Row['unit']> = { 'Mean Latency': 'ms', 'P95 Latency': 'ms', RTF: '', TTFC: 'ms', 'VRAM Usage': 'GB' };

function show(v: number | undefined, unit: Row['unit']): string {
  if (v === undefined) return '-';
  return unit === '' ? v.toFixed(2) : `${fmt(v)}${unit}`;
}

function change(before: number | undefined, after: number | undefined): string {
  if (before === undefined || after === undefined || before === 0) return '-';
  const p = ((after - before) / before) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;
}

/** A target passes when every point it was judged on passed (stretch counts as passing); n/a points do not count. */
function targetPassed(t: TargetResult): boolean | undefined {
  const judged = t.points.filter((p) => p.status !== 'n/a');
  if (!judged.length) return undefined;
  return judged.every((p) => p.status === 'pass' || p.status === 'stretch');
}

/**
 * The team's comparison box for two speech runs: overall latency, p95, RTF, TTFC and VRAM
 * before and after, each text's mean and p95 latency, RTF and TTFC, and the after run's own
 * targets (its scenario's `targets` table) with "Target status: k/n metrics passing".
 * Undefined unless both runs measured named texts.
 */
export function formatTtsComparisonBox(before: Results, after: Results, title = after.name): string | undefined {
  if (!before.perText || !after.perText) return undefined;
  const width = 82;
  // ✅ and ❌ take two columns in a terminal.
  const line = (text = '') => {
    const wide = (text.match(/[✅❌]/gu) ?? []).length;
    return `│ ${text.slice(0, width - 4 - wide).padEnd(width - 4 - wide)} │`;
  };
  const rule = (l: string, r: string) => `${l}${'─'.repeat(width - 2)}${r}`;
  const out = [rule('┌', '┐'), line(`BENCHMARK COMPARISON: ${title}`), line(`Date: ${after.startedAt.slice(0, 10)}`), line(`Hardware: ${hardwareLine(after)}`)];
  if (hardwareLine(before) !== hardwareLine(after)) out.push(line(`(before: ${hardwareLine(before)})`));
  out.push(rule('├', '┤'), line());
  const cols = (m: string, b: string, a: string, c: string, s = '') => `  ${m.padEnd(22)}${b.padStart(11)}${a.padStart(11)}${c.padStart(10)}  ${s}`;
  out.push(line(cols('Metric', 'Before', 'After', 'Change', 'Status')), line(`  ${'─'.repeat(width - 8)}`));
  const b = overallRows(before);
  const a = overallRows(after);
  const targets = after.targets ?? [];
  const statusOf = (metric: string) => {
    const t = targets.find((x) => x.metric.toLowerCase() === metric.toLowerCase() || x.metric.toLowerCase().startsWith(metric.toLowerCase().split(' ')[0]!));
    const passed = t ? targetPassed(t) : undefined;
    return passed === undefined ? '' : passed ? '✅ PASS' : '❌ MISS';
  };
  for (const metric of Object.keys(a)) {
    if (a[metric] === undefined && b[metric] === undefined) continue;
    out.push(line(cols(metric, show(b[metric], UNIT[metric]!), show(a[metric], UNIT[metric]!), change(b[metric], a[metric]), statusOf(metric))));
  }
  out.push(line(), line(`  ${'Per text'.padEnd(18)}${'Mean before→after'.padStart(22)}${'Change'.padStart(9)}${'P95'.padStart(9)}${'RTF'.padStart(6)}${'TTFC'.padStart(8)}`));
  for (const [name, r] of Object.entries(after.perText.results)) {
    const p: PerTextResult | undefined = before.perText.results[name];
    const means = `${p ? fmt(p.latency.mean_ms) : '-'}→${fmt(r.latency.mean_ms)}ms`;
    out.push(line(`  ${name.padEnd(18)}${means.padStart(22)}${change(p?.latency.mean_ms, r.latency.mean_ms).padStart(9)}${`${fmt(r.latency.p95_ms)}ms`.padStart(9)}${(r.rtf?.toFixed(2) ?? '-').padStart(6)}${(r.ttfc ? `${fmt(r.ttfc.mean_ms)}ms` : '-').padStart(8)}`));
  }
  if (targets.length) {
    out.push(line(), line('  Targets (the scenario\'s own):'));
    for (const t of targets) {
      const passed = targetPassed(t);
      out.push(line(`  ${t.metric.padEnd(18)} ${t.target.padEnd(26)} ${passed === undefined ? 'n/a' : passed ? '✅ PASS' : '❌ MISS'}`));
    }
    const judged = targets.map(targetPassed).filter((p) => p !== undefined);
    out.push(line(), line(`  Target Status: ${judged.filter(Boolean).length}/${judged.length} metrics passing`));
  }
  out.push(line(), rule('└', '┘'));
  return out.join('\n');
}

import { METRICS, metricApplies, metricUnit, type MetricDefinition } from '../model/metrics.js';
import type { LoadPointResult, Results } from '../model/results.js';
import { COMPARISON_HEADER, comparisonCells } from './compare-format.js';
import type { RunComparison } from './compare.js';
import { fmt } from './console.js';
import { FAMILY_VIEWS, throughputFigures } from './family-view.js';
import type { ChartSource, ChartSpec } from './chart-spec.js';
import { CHART_CLIENT, uplotAssets } from './chart-client.js';
import { boxPlotChart, histogramChart, percentileSpectrumChart } from './distribution-charts.js';
import { overTimeCharts, smallMultiples } from './time-charts.js';
import { throughputCurves } from './sweep-charts.js';
import { changeIntervalCharts } from './compare-charts.js';
import { callsSection } from './calls-table.js';
import { esc, jsonForScript } from './html-escape.js';
import { recordsSection, type CallRecords } from './records-table.js';
import type { ThresholdOutcome } from '../conditions/thresholds.js';

/** A run shown in the report; several when `compare --format html` overlays them. */
export interface ReportRun {
  /** Short name on legends: "before", "after", or the run's name. */
  label: string;
  results: Results;
}

export interface HtmlReportOptions {
  comparisons?: RunComparison[];
  thresholds?: ThresholdOutcome[];
  /** The run's per-call records (the records file's columns and rows), shown as a table. */
  calls?: CallRecords;
}

/**
 * One self-contained HTML file: uPlot is inlined (no CDN, opens offline from file://), the
 * charts are embedded as JSON specs, and the page is built only from histograms, percentiles,
 * series and the few calls the results keep, so a million-request run gives as small a page
 * as a hundred-request one.
 */
export function renderHtmlReport(runs: ReportRun[], opts: HtmlReportOptions = {}): string {
  if (!runs.length) throw new Error('renderHtmlReport needs at least one run');
  const sources: ChartSource[] = runs.flatMap((r) =>
    r.results.points.map((p) => ({
      name: runs.length > 1 ? (r.results.points.length > 1 ? `${r.label} · ${p.label}` : r.label) : p.label,
      point: p.label,
      run: r.label,
      phase: p.measure,
    })),
  );
  const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  // Each family's own distributions (text: ttft and itl; audio: ttfc and rtf; frames: frame latency).
  const distributionMetrics = [...new Set(sources.flatMap((s) => FAMILY_VIEWS[s.phase.family].distributions))];
  const swept = new Set(sources.map((s) => s.point)).size > 1;
  // Steps (fit, then predict) are different calls, not loads of one: no throughput curve joins them.
  const stepped = runs.some((r) => r.results.points.some((p) => p.step !== undefined));
  // A sweep's points are compared in the curves, the percentile charts and small multiples;
  // histograms of more than two points would hide each other.
  const spectra = distributionMetrics.map((m) => percentileSpectrumChart(`spectrum-${m}`, m, sources));
  const histograms = distributionMetrics.map((m) => histogramChart(`histogram-${m}`, m, swept && sources.length > 2 ? [] : sources));
  const boxPlots = distributionMetrics.map((m) => boxPlotChart(`box-${m}`, m, sources));
  const queue = histogramChart('histogram-queue_delay', 'queue_delay', sources);
  const overTime = swept ? smallMultiples(sources) : overTimeCharts(sources);
  const curves = throughputCurves(runs.map((r) => ({ name: r.label, results: r.results })));
  const changes = opts.comparisons?.length ? changeIntervalCharts(opts.comparisons) : [];

  const first = runs[0]!.results;
  const title = runs.length > 1 ? `inferbench comparison: ${runs.map((r) => r.label).join(' vs ')}` : `inferbench report: ${first.name}`;
  const charts: ChartSpec[] = [];
  const section = (heading: string, specs: ChartSpec[], intro = '', className = 'charts') => {
    if (!specs.length) return '';
    charts.push(...specs);
    return `<section><h2>${esc(heading)}</h2>${intro}<div class="${className}">${specs.map(chartBox).join('')}</div></section>`;
  };

  const body = [
    header(runs),
    opts.comparisons?.length ? comparisonSection(opts.comparisons) : '',
    section('Changes with their intervals', changes, '', 'charts wide'),
    opts.thresholds?.length ? thresholdSection(opts.thresholds) : '',
    cardsSection(runs),
    section(
      'Distributions',
      [...defined(spectra), ...defined(histograms), ...defined(boxPlots)],
      '<p class="note">From the HDR histograms in the results (3 significant digits). The percentile charts read like a latency SLO: the value below which 50%, 99%, 99.9% of values fall.</p>',
    ),
    section('Sweep against achieved throughput', stepped ? [] : curves, '<p class="note">Each load point placed at the throughput it achieved; the knee is where latency climbs while throughput stops growing.</p>'),
    section(swept ? 'Over time, per load point' : 'Over time', overTime, '', swept ? 'charts small' : 'charts'),
    outcomesSection(sources),
    callsSection(sources),
    section('Queue delay', defined([queue]), '<p class="note">Open loop: how late each request left against its intended start. Large values mean the client, not the server, fell behind.</p>'),
    opts.calls ? recordsSection(opts.calls) : '',
    healthSection(runs),
    scenarioSection(runs),
    environmentSection(runs),
    definitionsSection(sources),
  ].join('\n');

  const specs = Object.fromEntries(charts.map((c) => [c.id, c]));
  const uplot = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${uplot.css}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="chart-specs">${jsonForScript(specs)}</script>
<script>${uplot.js}</script>
<script>${CHART_CLIENT}</script>
</body>
</html>
`;
}

function chartBox(c: ChartSpec): string {
  return `<figure><figcaption>${esc(c.title)}${c.note ? `<span class="note">${esc(c.note)}</span>` : ''}</figcaption><div class="chart" data-chart-id="${esc(c.id)}"></div></figure>`;
}

/** Requests by outcome and by HTTP status (or gRPC code), one row per load point. */
function outcomesSection(sources: ChartSource[]): string {
  const outcomes = [...new Set(sources.flatMap((s) => Object.entries(s.phase.counts.byOutcome).filter(([, n]) => n > 0).map(([k]) => k)))];
  const statuses = [...new Set(sources.flatMap((s) => Object.keys(s.phase.counts.byStatus)))].sort();
  const head = ['load point', ...outcomes, ...statuses.map((st) => `status ${st}`)];
  const rows = sources.map((s) => {
    const c = s.phase.counts;
    const cells = [...outcomes.map((k) => c.byOutcome[k as keyof typeof c.byOutcome] ?? 0), ...statuses.map((st) => c.byStatus[st] ?? 0)];
    return `<tr><td>${esc(s.name)}</td>${cells.map((n) => `<td class="num">${n}</td>`).join('')}</tr>`;
  });
  const errors = sources.flatMap((s) => s.phase.counts.errors.map((e) => `<li>${sources.length > 1 ? `${esc(s.name)}: ` : ''}${e.count}× ${esc(e.message)}</li>`));
  return `<section><h2>Outcomes and statuses</h2><table class="outcomes"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${errors.length ? `<ul class="errors">${errors.join('')}</ul>` : ''}</section>`;
}

function header(runs: ReportRun[]): string {
  const r = runs[0]!.results;
  const target = r.scenario.target as { protocol?: string; url?: string } | undefined;
  const lines = runs.map(
    (run) =>
      `<li><b>${esc(run.label)}</b>: ${esc(run.results.name)}, ${esc(run.results.startedAt)} → ${esc(run.results.endedAt)}${
        run.results.interrupted ? ` <span class="bad">stopped early: ${esc(run.results.interruptReason ?? 'interrupted')}</span>` : ''
      }</li>`,
  );
  return `<header><h1>${esc(runs.length > 1 ? 'inferbench comparison' : `inferbench · ${r.name}`)}</h1>
<p>${target?.url ? `${esc(target.protocol ?? '')} <code>${esc(target.url)}</code> · ` : ''}inferbench ${esc(r.tool.version)}</p>
<ul class="runs">${lines.join('')}</ul></header>`;
}

/** Cards: the headline numbers of each load point. `data-value` holds the exact number from the results. */
function cardsSection(runs: ReportRun[]): string {
  const blocks = runs.flatMap((run, ri) =>
    run.results.points.map((point, pi) => {
      const heading = runs.length > 1 ? `${run.label} · ${point.label}` : point.label;
      return `<div class="point" data-run="${ri}" data-point="${pi}"><h3>${esc(heading)}</h3><div class="cards">${cards(point).map(card).join('')}</div></div>`;
    }),
  );
  return `<section><h2>Summary</h2>${blocks.join('')}</section>`;
}

interface Card {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** Show as a percentage of 1. */
  percent?: boolean;
}

/** The cards of one load point; keys name where the number comes from in the results. */
export function cards(point: LoadPointResult): Card[] {
  const m = point.measure;
  const c = m.counts;
  const out: Card[] = [
    { key: 'counts.sent', label: 'requests sent', value: c.sent, unit: '' },
    { key: 'counts.ok', label: 'ok', value: c.ok, unit: '' },
    { key: 'counts.failed', label: 'failed', value: c.failed, unit: '' },
    { key: 'error_rate', label: 'error rate', value: c.sent ? c.failed / c.sent : 0, unit: '%', percent: true },
  ];
  const keyOf: Record<string, string> = { FPS: 'throughput.framesPerSecond', 'req/s': 'throughput.requestsPerSecond', 'tok/s': 'throughput.outputTokensPerSecond', 'audio s/s': 'audio.audioSecondsPerSecond', 'input tok/s': 'throughput.inputTokensPerSecond', 'total tok/s': 'throughput.totalTokensPerSecond' };
  for (const f of throughputFigures(m)) out.push({ key: keyOf[f.unit]!, label: f.unit === 'req/s' ? 'throughput' : f.label, value: f.value, unit: f.unit });
  if (m.goodput) out.push({ key: 'goodput.requestsPerSecond', label: 'goodput', value: m.goodput.requestsPerSecond, unit: 'req/s' });
  for (const [name, stat] of FAMILY_VIEWS[m.family].cards) {
    const metric = m.metrics[name];
    if (metric && metric.summary.count > 0) out.push({ key: `metrics.${name}.summary.${stat}`, label: `${name} ${stat}`, value: metric.summary[stat], unit: metric.unit });
  }
  out.push({ key: 'durationMs', label: 'duration', value: m.durationMs / 1000, unit: 's' });
  return out;
}

function card(c: Card): string {
  const shown = c.percent ? fmt(c.value * 100) : c.unit === '' && Number.isInteger(c.value) ? String(c.value) : fmt(c.value);
  const unit = c.percent ? '%' : c.unit;
  return `<div class="card" data-card="${esc(c.key)}" data-value="${c.value}"><div class="label">${esc(c.label)}</div><div class="value">${esc(shown)}<small>${esc(unit)}</small></div></div>`;
}

function comparisonSection(comparisons: RunComparison[]): string {
  const tables = comparisons.flatMap((c) =>
    c.points.map((p) => {
      const rows = p.rows.map((r) => {
        const cells = comparisonCells(r);
        const cls = r.verdict === 'worse' ? 'bad' : r.verdict === 'better' ? 'good' : '';
        const targetCls = r.target ? (r.target.after ? 'good' : 'bad') : '';
        return `<tr>${cells.map((v, i) => `<td class="${i === 6 ? cls : i === 7 ? targetCls : ''}">${esc(v)}</td>`).join('')}</tr>`;
      });
      return `<h3>${esc(c.before.name)} → ${esc(c.after.name)} · ${esc(p.label)}</h3><table class="compare"><thead><tr>${COMPARISON_HEADER.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
    }),
  );
  return `<section><h2>Comparison</h2><p class="note">"better" / "worse" only when the bootstrap 95% interval of the change of the median excludes zero. Samples are expanded from HDR histograms (3 significant digits).</p>${tables.join('')}</section>`;
}

function thresholdSection(outcomes: ThresholdOutcome[]): string {
  const failed = outcomes.filter((o) => !o.passed).length;
  const items = outcomes.map((o) => `<li class="${o.passed ? 'good' : 'bad'}">${o.passed ? 'PASS' : 'FAIL'} · ${esc(o.message)}</li>`);
  return `<section><h2>Thresholds: ${failed ? `${failed} of ${outcomes.length} failed` : `all ${outcomes.length} passed`}</h2><ul class="thresholds">${items.join('')}</ul></section>`;
}

function healthSection(runs: ReportRun[]): string {
  const warnings = runs.flatMap((r) => r.results.warnings.map((w) => (runs.length > 1 ? `${r.label}: ${w}` : w)));
  const rows = runs.flatMap((r) =>
    r.results.points.map((p) => {
      const h = p.measure.clientHealth;
      const busy = h.threadBusyShare === undefined ? '-' : `${fmt(h.threadBusyShare * 100)}%`;
      const machine = h.machine ? `${h.machineBusy ? 'busy: ' : ''}load ${fmt(h.machine.loadAverage1m)} on ${h.machine.cores} cores` : '-';
      const why = h.clientBound && h.causes?.length ? ` (${h.causes.filter((c) => c !== 'machine-busy').join(', ')})` : '';
      return `<tr><td>${esc(runs.length > 1 ? `${r.label} · ${p.label}` : p.label)}</td><td>${fmt(h.eventLoopDelayMs.mean)}</td><td>${fmt(h.eventLoopDelayMs.p99)}</td><td>${fmt(h.eventLoopDelayMs.max)}</td><td>${busy}</td><td>${fmt(h.cpuPercent)}%</td><td>${fmt(h.lateSendShare * 100)}%</td><td class="${h.machineBusy ? 'bad' : ''}">${esc(machine)}</td><td class="${h.clientBound ? 'bad' : 'good'}">${h.clientBound ? 'yes' : 'no'}${esc(why)}</td></tr>`;
    }),
  );
  const list = warnings.length ? `<ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '<p class="good">No client-health warnings: the client kept up with the load.</p>';
  return `<section><h2>Client health</h2>${list}<table><thead><tr><th>load point</th><th>event-loop delay mean (ms)</th><th>p99 (ms)</th><th>max (ms)</th><th>thread busy</th><th>process CPU</th><th>late sends</th><th>machine</th><th>client-bound</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function scenarioSection(runs: ReportRun[]): string {
  const blocks = runs.map((r) => `${runs.length > 1 ? `<h3>${esc(r.label)}</h3>` : ''}<pre>${esc(JSON.stringify(r.results.scenario, null, 2))}</pre>`);
  return `<section><h2>Scenario</h2><p class="note">As run, with every secret replaced by "[redacted]".</p>${blocks.join('')}</section>`;
}

function environmentSection(runs: ReportRun[]): string {
  const rows = runs.map((r) => {
    const x = r.results;
    const h = x.host;
    return `<tr><td>${esc(r.label)}</td><td>${esc(h.hostname)}</td><td>${esc(`${h.platform} ${h.arch}`)}</td><td>${esc(`${h.cpus} × ${h.cpuModel}`)}</td><td>${esc(h.node)}</td><td>${esc(x.tool.version)}</td><td><code>${esc(x.gitSha ?? '-')}</code></td><td><code>${esc(x.commandLine.join(' '))}</code></td></tr>`;
  });
  return `<section><h2>Environment</h2><table><thead><tr><th>run</th><th>host</th><th>platform</th><th>CPU</th><th>node</th><th>inferbench</th><th>git</th><th>command line</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function definitionsSection(sources: ChartSource[]): string {
  const defs = METRICS as Record<string, MetricDefinition>;
  const present = [...new Set(sources.flatMap((s) => Object.keys(s.phase.metrics)))];
  // The run's families' metrics (measured or not), then anything protocol-specific it measured.
  const possible = Object.keys(defs).filter((n) => defs[n]!.level !== 'run' && sources.some((s) => metricApplies(defs[n]!, s.phase)));
  const names = [...new Set([...possible, ...present])];
  const rows = names.map(
    (n) => `<tr${present.includes(n) ? '' : ' class="absent"'}><td><code>${esc(n)}</code></td><td>${esc(defs[n]?.unit ?? metricUnit(n))}</td><td>${esc(defs[n]?.definition ?? 'protocol-specific metric reported by the target')}</td></tr>`,
  );
  return `<section><h2>Metric definitions</h2><p class="note">Greyed rows were not measured in this run. Percentiles come from HDR histograms with 3 significant digits.</p><table><thead><tr><th>metric</th><th>unit</th><th>definition</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const STYLE = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f9fafb; --good:#15803d; --bad:#b91c1c; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width: 1280px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 32px 0 12px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 16px 0 8px; font-size: 15px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; max-height: 420px; }
.runs { margin: 4px 0; padding-left: 18px; color: var(--muted); }
.note { color: var(--muted); font-size: 12px; margin: 4px 0 8px; display: block; font-weight: normal; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 22px; font-weight: 600; }
.card small { font-size: 12px; color: var(--muted); margin-left: 3px; font-weight: normal; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px; }
.charts.small { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.charts.wide { grid-template-columns: 1fr; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.chart { width: 100%; }
.chart .u-legend { font-size: 12px; }
.chart .u-legend .u-series:first-child { display: none; }
td.num { text-align: right; white-space: nowrap; }
table.calls td.preview { max-width: 640px; overflow-wrap: anywhere; }
ul.errors { color: #92400e; }
table { border-collapse: collapse; background: #fff; width: 100%; margin-bottom: 8px; }
div.records { max-height: 480px; overflow: auto; }
table.records { font-size: 12px; white-space: nowrap; }
table.records tr.failed { background: #fef2f2; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
table.compare td:not(:first-child) { text-align: right; white-space: nowrap; }
tr.absent { color: #9ca3af; }
.good { color: var(--good); } .bad { color: var(--bad); font-weight: 600; }
.warnings li { color: #92400e; }
`;

/// <reference lib="dom" />
import { mkdtemp, writeFile } from 'node:fs/promises';
import { MetricHistogram } from '../../src/stats/histogram.js';
import { formatNumber } from '../../src/model/units.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/report/compare.js';
import { renderHtmlReport } from '../../src/report/html.js';
import type { Results } from '../../src/model/results.js';
import { readResults } from '../../src/results/writer.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import { run } from '../../src/run/runner.js';
import { serve } from '../../src/server/index.js';
import { launchChromium } from '../helpers/chromium.js';

let browser: Browser;
let dir: string;
let sweep: Results;
let plain: Results;
let faster: Results;
let echo: Results;
const SECRET = 'sk-live-0123456789abcdef';

/** A real run against the reference server, read back from the JSON file the runner wrote. */
async function recorded(name: string, scenario: Record<string, unknown>, server: { url: string }): Promise<Results> {
  const file = join(dir, `${name}.json`);
  await run({
    name,
    target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 12 },
    output: { file },
    tokenizer: 'none',
    ...scenario,
  });
  return readResults(file);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inferbench-html-'));
  const server = await serve({ ttft: 'lognormal:30ms:0.3', itl: 'uniform:1ms:3ms', tokens: 'uniform:4:12', errorRate: 0.08, seed: 11 });
  const quicker = await serve({ ttft: 'lognormal:15ms:0.3', itl: 'uniform:1ms:3ms', tokens: 'uniform:4:12', errorRate: 0.08, seed: 12 });
  try {
    // A sweep in open loop with failures: every chart kind has data (queue delay, statuses, sweep curves).
    sweep = await recorded('sweep', { load: { mode: 'rate', rate: 50, requests: 50, arrival: 'poisson' }, sweep: { rate: [50, 100, 150] } }, server);
    plain = await recorded('plain', { load: { mode: 'concurrency', concurrency: 4, requests: 40 } }, server);
    faster = await recorded('faster', { load: { mode: 'concurrency', concurrency: 4, requests: 40 } }, quicker);
    // /echo answers with the body it got: the secret comes back in every answer, and must not reach the report.
    const file = join(dir, 'echo.json');
    await run(resolveScenario({ name: 'echo', target: { protocol: 'http', url: `${server.url}/echo`, method: 'POST', body: { key: '${API_KEY}' } }, load: { concurrency: 2, requests: 12 }, output: { file } }, { API_KEY: SECRET }));
    echo = await readResults(file);
  } finally {
    await Promise.all([server.close(), quicker.close()]);
  }
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

interface ChartCheck {
  id: string;
  rendered: boolean;
  canvasWidth: number;
  paintedPixels: number;
  /** The series names the legend shows. */
  legend: string[];
  /** Whether the legend box overlaps the plot area or its axis labels. */
  legendOverlaps: boolean;
}

interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  charts: ChartCheck[];
  cards: { point: string; key: string; value: number; shown: string }[];
  calls: { kind: string; rows: string[][] }[];
}

async function openReport(html: string, name: string): Promise<PageCheck> {
  const path = join(dir, `${name}.html`);
  await writeFile(path, html);
  const url = pathToFileURL(path).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => r.url() !== url && requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  const check = await page.evaluate(() => {
    const charts = Array.from(document.querySelectorAll<HTMLElement>('[data-chart-id]')).map((el) => {
      const canvas = el.querySelector('canvas');
      let painted = 0;
      if (canvas && canvas.width > 0) {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      }
      const legend = el.querySelector('.u-legend')?.getBoundingClientRect();
      const plot = el.querySelector('.u-wrap')?.getBoundingClientRect();
      const overlaps = Boolean(legend && plot && legend.height > 0 && legend.top < plot.bottom - 0.5 && legend.bottom > plot.top);
      return {
        id: el.dataset.chartId!,
        rendered: el.dataset.rendered === 'true',
        canvasWidth: canvas?.width ?? 0,
        paintedPixels: painted,
        legend: Array.from(el.querySelectorAll('.u-legend .u-series'))
          .filter((l) => (l as HTMLElement).offsetParent !== null)
          .map((l) => l.querySelector('.u-label')?.textContent ?? ''),
        legendOverlaps: overlaps,
      };
    });
    const cards = Array.from(document.querySelectorAll<HTMLElement>('[data-card]')).map((el) => ({
      point: (el.closest('[data-point]') as HTMLElement).dataset.point!,
      key: el.dataset.card!,
      value: Number(el.dataset.value),
      shown: el.querySelector('.value')!.firstChild!.textContent!,
    }));
    const calls = Array.from(document.querySelectorAll<HTMLTableElement>('table[data-calls]')).map((t) => ({
      kind: t.dataset.calls!,
      rows: Array.from(t.tBodies[0]!.rows).map((r) => Array.from(r.cells).map((c) => c.textContent ?? '')),
    }));
    return { charts, cards, calls };
  });
  await page.close();
  return { consoleErrors, requests, ...check };
}

/** The number a card's key names, read from the results JSON. */
function valueAt(results: Results, point: number, key: string): number {
  const m = results.points[point]!.measure;
  if (key === 'error_rate') return m.counts.failed / m.counts.sent;
  if (key === 'durationMs') return m.durationMs / 1000;
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], m) as number;
}

function expectDrawn(page: PageCheck): void {
  expect(page.consoleErrors).toEqual([]);
  expect(page.requests).toEqual([]);
  for (const chart of page.charts) {
    expect(chart, chart.id).toMatchObject({ rendered: true, legendOverlaps: false });
    expect(chart.canvasWidth, chart.id).toBeGreaterThan(0);
    expect(chart.paintedPixels, chart.id).toBeGreaterThan(1000);
  }
}

describe('HTML report in headless Chromium', () => {
  it('one run: percentile spectra, log-binned histograms that say what they count, sub-second series, every chart drawn', async () => {
    const html = renderHtmlReport([{ label: plain.name, results: plain }]);
    const page = await openReport(html, 'plain');
    expectDrawn(page);
    const ids = page.charts.map((c) => c.id);
    for (const id of ['spectrum-latency', 'spectrum-ttft', 'spectrum-itl', 'histogram-latency', 'histogram-ttft', 'histogram-itl', 'latency-over-time', 'ttft-over-time', 'itl-over-time', 'requests-over-time', 'tokens-over-time']) expect(ids).toContain(id);
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1]!);
    const axes = (id: string) => [specs[id].x.label, specs[id].y.label];
    // The ITL histogram counts gaps between events, not requests; the others count requests.
    expect(axes('histogram-itl')).toEqual(['itl (ms)', 'gaps']);
    expect(axes('histogram-latency')).toEqual(['latency (ms)', 'requests']);
    expect(axes('spectrum-itl')).toEqual(['percentile of gaps', 'itl (ms)']);
    // The legend names the series only (the x values are on the axis), below the plot.
    expect(page.charts.find((c) => c.id === 'requests-over-time')!.legend).toEqual(['sent', 'ok', 'errors']);
    // The run lasted about a second: its over-time charts come from 100 ms buckets, not one point.
    const m = plain.points[0]!.measure;
    expect(m.durationMs).toBeLessThan(5000);
    expect(m.subSecond!.bucketMs).toBe(100);
    expect(m.subSecond!.ok.reduce((a, b) => a + b, 0)).toBe(m.counts.ok);
    expect(m.subSecond!.errors.reduce((a, b) => a + b, 0)).toBe(m.counts.failed);
    expect(m.subSecond!.sent.reduce((a, b) => a + b, 0)).toBe(m.counts.sent);
    expect(specs['requests-over-time'].x.values.length).toBe(m.subSecond!.sent.length);
    expect(specs['requests-over-time'].x.values[1]).toBeCloseTo(0.1, 9);
    // The spectrum's values are the histogram's own percentiles (x = 1 is p90, x = 2 is p99).
    const spectrum = specs['spectrum-latency'];
    const at = (x: number) => spectrum.series[0].values[spectrum.x.values.indexOf(x)];
    expect(at(0)).toBe(m.metrics.latency!.summary.min);
    expect(at(1)).toBe(m.metrics.latency!.summary.p90);
    // Every value is in some bin: the histogram's counts add up to the metric's count.
    const itl = specs['histogram-itl'];
    expect(itl.series[0].values.reduce((a: number, b: number) => a + b, 0)).toBe(m.metrics.itl!.summary.count);
    // Box plots (drawn, so painted): the box is the histogram's p25–p75 around its median, whiskers inside Tukey's fences.
    for (const id of ['box-latency', 'box-ttft', 'box-itl']) expect(ids).toContain(id);
    const [low, q1, median, q3, high] = specs['box-latency'].series[0].boxes[0] as number[];
    const h = MetricHistogram.decode(m.metrics.latency!.histogram, m.metrics.latency!.scale);
    expect([q1, median, q3]).toEqual([h.percentile(25), h.percentile(50), h.percentile(75)]);
    expect(low).toBeGreaterThanOrEqual(Math.max(m.metrics.latency!.summary.min, q1! - 1.5 * (q3! - q1!)));
    expect(high).toBeLessThanOrEqual(Math.min(m.metrics.latency!.summary.max, q3! + 1.5 * (q3! - q1!)));
    expect(low).toBeLessThanOrEqual(q1!);
    expect(high).toBeGreaterThanOrEqual(q3!);
  });

  it('shows summary-card numbers equal to the results JSON', async () => {
    const page = await openReport(renderHtmlReport([{ label: sweep.name, results: sweep }]), 'cards');
    expect(page.cards.length).toBeGreaterThan(3 * 8);
    for (const card of page.cards) {
      const truth = valueAt(sweep, Number(card.point), card.key);
      expect(card.value, card.key).toBe(truth);
      // What a person reads is the same number, rounded for display.
      const shown = Number(card.shown);
      const expected = card.key === 'error_rate' ? truth * 100 : truth;
      const decimals = (card.shown.split('.')[1] ?? '').length;
      expect(Math.abs(shown - expected), `${card.key}: shown ${card.shown}, results ${expected}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
    }
    expect(page.cards.find((c) => c.key === 'counts.sent' && c.point === '0')!.value).toBe(50);
  });

  it('a sweep: curves against achieved throughput on a numeric axis and small multiples per load point', async () => {
    const html = renderHtmlReport([{ label: sweep.name, results: sweep }]);
    const page = await openReport(html, 'sweep');
    expectDrawn(page);
    const ids = page.charts.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['sweep-latency-by-rps', 'sweep-ttft-by-rps', 'sweep-error-rate-by-rps', 'sweep-token-throughput-by-rps', 'sweep-achieved-by-offered', 'histogram-queue_delay']));
    // One small latency chart and one requests chart per load point, no overlaid forty lines.
    for (let i = 0; i < sweep.points.length; i++) expect(ids).toEqual(expect.arrayContaining([`point-${i}-latency`, `point-${i}-requests`]));
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1]!);
    const curve = specs['sweep-latency-by-rps'];
    expect(curve.x.values).toEqual(sweep.points.map((p) => p.measure.throughput.requestsPerSecond).sort((a, b) => a - b));
    expect(curve.x.ticks).toBeUndefined();
    const p50 = curve.series.find((s: { name: string }) => s.name === 'p50');
    for (const point of sweep.points) expect(p50.values[curve.x.values.indexOf(point.measure.throughput.requestsPerSecond)]).toBe(point.measure.metrics.latency!.summary.p50);
    // Achieved against offered: the offered rates on x, the diagonal beside what was achieved.
    const offered = specs['sweep-achieved-by-offered'];
    expect(offered.x.values).toEqual([50, 100, 150]);
    expect(offered.series[0].values).toEqual(sweep.points.map((p) => p.measure.throughput.requestsPerSecond));
    expect(offered.series[1].values).toEqual([50, 100, 150]);
  });

  it('a comparison: overlaid percentile spectra and each change with its interval', async () => {
    const comparison = compareRuns(plain, faster, { iterations: 400 });
    const html = renderHtmlReport(
      [
        { label: 'before', results: plain },
        { label: 'after', results: faster },
      ],
      { comparisons: [comparison] },
    );
    const page = await openReport(html, 'compare');
    expectDrawn(page);
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1]!);
    expect(specs['spectrum-ttft'].series.map((s: { name: string }) => s.name)).toEqual(['before', 'after']);
    const change = specs['change-0-0'];
    expect(page.charts.map((c) => c.id)).toContain('change-0-0');
    // Each metric's dot is its change of the median in %, and its bar the interval, in % of before.
    const rows = comparison.points[0]!.rows.filter((r) => r.interval && r.metric !== 'error_latency');
    expect(change.x.categories).toEqual(rows.map((r) => r.label));
    const ttft = rows.findIndex((r) => r.metric === 'ttft');
    const row = rows[ttft]!;
    const series = change.series.find((s: { values: (number | null)[] }) => s.values[ttft] !== null);
    expect(series.values[ttft]).toBeCloseTo(row.changePercent, 9);
    expect(series.intervals[ttft][0]).toBeCloseTo(Math.max(-100, (100 * row.interval!.low) / row.before), 9);
    expect(row.verdict).toBe('better');
    expect(series.name).toBe('better');
  });

  it('tables the slowest and the failed calls, with secrets replaced in their previews', async () => {
    const html = renderHtmlReport([{ label: echo.name, results: echo }]);
    expect(html).not.toContain(SECRET);
    const page = await openReport(html, 'echo');
    expectDrawn(page);
    const slowest = page.calls.find((c) => c.kind === 'slowest')!;
    const calls = echo.points[0]!.measure.calls!;
    expect(slowest.rows.length).toBe(Math.min(10, echo.points[0]!.measure.counts.ok));
    // Shown as every number in the report is (significant digits: 1234, 123.4, 12.34, 0.123).
    expect(slowest.rows[0]![2]).toBe(formatNumber(calls.slowest[0]!.latencyMs));
    // Slowest first; the preview is the echoed body with the key replaced.
    const latencies = calls.slowest.map((c) => c.latencyMs);
    expect([...latencies].sort((a, b) => b - a)).toEqual(latencies);
    expect(slowest.rows[0]!.at(-1)).toContain('[redacted]');

    const failing = await openReport(renderHtmlReport([{ label: plain.name, results: plain }]), 'failed-calls');
    const failed = failing.calls.find((c) => c.kind === 'failed')!;
    const m = plain.points[0]!.measure;
    expect(m.counts.failed).toBeGreaterThan(0);
    expect(failed.rows.length).toBe(Math.min(10, m.counts.failed));
    expect(failed.rows[0]!.at(-1)).toContain('injected error');
  });
});

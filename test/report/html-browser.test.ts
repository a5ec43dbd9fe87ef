/// <reference lib="dom" />
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/report/compare.js';
import { renderHtmlReport } from '../../src/report/html.js';
import type { Results } from '../../src/model/results.js';
import { readResults } from '../../src/results/writer.js';
import { run } from '../../src/run/runner.js';
import { serve } from '../../src/server/index.js';
import { launchChromium } from '../helpers/chromium.js';

let browser: Browser;
let dir: string;
let sweep: Results;
let plain: Results;

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
  const server = await serve({ ttftMs: 'lognormal:30ms:0.3', itlMs: 'uniform:1ms:3ms', outputTokens: 'uniform:4:12', errorRate: 0.08, seed: 11 });
  try {
    // A sweep in open loop with failures: every chart kind has data (queue delay, statuses, sweep curves).
    sweep = await recorded('sweep', { load: { mode: 'rate', rate: 50, requests: 50, arrival: 'poisson' }, sweep: { rate: [50, 100] } }, server);
    plain = await recorded('plain', { load: { mode: 'concurrency', concurrency: 4, requests: 40 } }, server);
  } finally {
    await server.close();
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  charts: { id: string; rendered: boolean; canvasWidth: number; paintedPixels: number }[];
  cards: { point: string; key: string; value: number; shown: string }[];
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
      return { id: el.dataset.chartId!, rendered: el.dataset.rendered === 'true', canvasWidth: canvas?.width ?? 0, paintedPixels: painted };
    });
    const cards = Array.from(document.querySelectorAll<HTMLElement>('[data-card]')).map((el) => ({
      point: (el.closest('[data-point]') as HTMLElement).dataset.point!,
      key: el.dataset.card!,
      value: Number(el.dataset.value),
      shown: el.querySelector('.value')!.firstChild!.textContent!,
    }));
    return { charts, cards };
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

describe('HTML report in headless Chromium', () => {
  it('loads from file:// with no console errors and no network requests, and every chart is drawn', async () => {
    const page = await openReport(renderHtmlReport([{ label: sweep.name, results: sweep }]), 'sweep');
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
    const ids = page.charts.map((c) => c.id);
    for (const id of ['histogram-latency', 'histogram-ttft', 'histogram-itl', 'box-latency', 'box-ttft', 'box-itl', 'status-distribution', 'outcome-distribution', 'latency-over-time', 'throughput-over-time', 'in-flight-over-time', 'errors-over-time', 'histogram-queue_delay', 'sweep-latency-p50', 'sweep-throughput']) {
      expect(ids).toContain(id);
    }
    for (const chart of page.charts) {
      expect(chart, chart.id).toMatchObject({ rendered: true });
      expect(chart.canvasWidth, chart.id).toBeGreaterThan(0);
      expect(chart.paintedPixels, chart.id).toBeGreaterThan(1000);
    }
  });

  it('shows summary-card numbers equal to the results JSON', async () => {
    const page = await openReport(renderHtmlReport([{ label: sweep.name, results: sweep }]), 'cards');
    expect(page.cards.length).toBeGreaterThan(2 * 8);
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

  it('overlays runs in the comparison report', async () => {
    const html = renderHtmlReport(
      [
        { label: 'before', results: plain },
        { label: 'after', results: plain },
      ],
      { comparisons: [compareRuns(plain, plain, { iterations: 200 })] },
    );
    const page = await openReport(html, 'compare');
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts.length).toBeGreaterThan(8);
    for (const chart of page.charts) expect(chart.paintedPixels, chart.id).toBeGreaterThan(1000);
    expect(html).toContain('no real change');
  });
});

import { formatSweepComparison } from '../../src/report/comparison.js';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import type { Results } from '../../src/model/results.js';
import { runCli } from '../helpers/cli.js';
import { launchChromium } from '../helpers/chromium.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 5, echoDelayMs: '1ms' });
});
afterAll(() => server.close());

interface Row {
  call_index: string;
  series_id: string;
  phase: string;
  load_point: string;
  status: string;
  ok: string;
  delta_ms: string;
  start_epoch_ms: string;
  end_epoch_ms: string;
  error: string;
  body_preview: string;
}

describe('examples/rest-fit-predict.yaml (the stress notebook as one scenario)', () => {
  it('fits 100 distinct series, predicts each one that fit, and records the series ids the server saw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-fit-predict-'));
    // --cooldown 0: the notebook's 60 s pause, shortened for the test (a flag reaches every step).
    const out = await runCli(['run', 'examples/rest-fit-predict.yaml', '--cooldown', '0', '--output-dir', dir, '-q'], { env: { BASE_URL: server.url } });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const files = await readdir(dir);
    const resultsFile = files.find((f) => f.endsWith('.json'))!;
    const results = JSON.parse(await readFile(join(dir, resultsFile), 'utf8')) as Results;
    const csv = await readFile(join(dir, files.find((f) => f.endsWith('.records.csv'))!), 'utf8');
    const rows = parseCsv(csv, { columns: true }) as Row[];

    const [fit, predict] = results.points;
    // fit and predict are different calls: no "speedup" table between them.
    expect(formatSweepComparison(results)).toEqual([]);
    expect(results.points.map((p) => p.step)).toEqual(['fit', 'predict']);
    // 100 measured calls per step; the 5 sequential warmup calls are counted apart and absent from the metrics.
    for (const p of [fit!, predict!]) {
      expect(p.measure.counts).toMatchObject({ sent: 100, ok: 100, failed: 0, byStatus: { '200': 100 } });
      expect(p.warmup).toMatchObject({ sent: 5, ok: 5, failed: 0 });
      expect(p.measure.metrics.latency!.summary.count).toBe(100);
    }

    const measured = (step: string) => rows.filter((r) => r.load_point === step && r.phase === 'measure');
    const fitRows = measured('fit');
    const predictRows = measured('predict');
    expect(fitRows).toHaveLength(100);
    expect(new Set(fitRows.map((r) => r.series_id)).size).toBe(100);
    for (const r of fitRows) expect(r.series_id).toBe(`benchmark_stress_${results.runId}_measure_${r.call_index}`);
    expect(rows.filter((r) => r.phase === 'warmup')).toHaveLength(10);
    for (const r of [...fitRows, ...predictRows]) {
      expect(r).toMatchObject({ status: '200', ok: 'true', error: '', body_preview: '' });
      expect(Number(r.end_epoch_ms) - Number(r.start_epoch_ms)).toBeCloseTo(Number(r.delta_ms), 0);
    }
    // Predict call i used the series fit call i created.
    expect(predictRows.map((r) => r.series_id).sort()).toEqual(fitRows.map((r) => r.series_id).sort());
    for (const r of predictRows) expect(r.series_id).toBe(`benchmark_stress_${results.runId}_measure_${r.call_index}`);

    // The server's own log: every recorded series id was fit (and predicted) there with 200, and nothing else was.
    const truth = server.groundTruth.all();
    const served = (route: string) => new Map(truth.filter((g) => g.route === route).map((g) => [decodeURIComponent(g.path.split('/').pop()!), g.status]));
    const fitted = served('POST /fit/:series_id');
    const predicted = served('POST /predict/:series_id');
    const recordedFits = rows.filter((r) => r.load_point === 'fit').map((r) => r.series_id);
    expect([...fitted.keys()].sort()).toEqual([...recordedFits].sort());
    for (const id of recordedFits) expect(fitted.get(id)).toBe(200);
    for (const r of predictRows) expect(predicted.get(r.series_id)).toBe(200);
    expect(server.series.size).toBe(105);
  }, 60_000);

  it("the HTML report's per-call table has the records' columns, the team's series_id among them", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-fit-predict-html-'));
    const out = await runCli(['run', 'examples/rest-fit-predict.yaml', '--cooldown', '0', '-c', '10', '--output-dir', dir, '--report', 'html', '-q'], { env: { BASE_URL: server.url } });
    expect(out.code, out.stderr).toBe(0);
    const html = await readFile(join(dir, (await readdir(dir)).find((f) => f.endsWith('.html'))!), 'utf8');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      const headers = await page.locator('table.records thead th').allTextContents();
      expect(headers.slice(0, 3)).toEqual(['call_index', 'series_id', 'phase']);
      expect(headers).toEqual(expect.arrayContaining(['status', 'ok', 'delta_ms', 'start_epoch_ms', 'end_epoch_ms', 'error', 'body_preview']));
      expect(await page.locator('table.records tbody tr').count()).toBe(210);
      const firstRow = await page.locator('table.records tbody tr').first().locator('td').allTextContents();
      expect(firstRow[1]).toMatch(/^benchmark_stress_\d{8}_\d{6}_(warmup|measure)_\d+$/);
      // The notebook's box plots, one box per step; fit and predict are not joined by a throughput curve.
      const ids = await page.locator('[data-chart-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart-id')));
      expect(ids).toEqual(expect.arrayContaining(['box-latency', 'box-ttfb', 'histogram-latency']));
      expect(ids.filter((id) => id!.startsWith('sweep-'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('answers what the notebook checks: 422 for a wrong shape, 400 for a constant series, 404 for a series never fit', async () => {
    const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/fit/a', { timestamps: [1, 2] })).status).toBe(422);
    expect((await post('/fit/a', { timestamps: [1, 2, 'x'], values: [1, 2, 3] })).status).toBe(422);
    expect((await post('/fit/a', { timestamps: [2, 1], values: [1, 2] })).status).toBe(400);
    const constant = await post('/fit/a', { timestamps: [1, 2, 3], values: [5, 5, 5] });
    expect(constant.status).toBe(400);
    expect(((await constant.json()) as { detail: string }).detail).toContain('constant');
    expect((await post('/predict/never-fit', {})).status).toBe(404);
    expect((await post('/fit/b', { timestamps: [1, 2, 3], values: [5, 6, 5] })).status).toBe(200);
    expect((await post('/predict/b', { anything: true })).status).toBe(200);
  });
});

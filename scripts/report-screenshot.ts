/**
 * `npm run report:screenshot [out-dir]`: runs small benchmarks against the reference server,
 * renders each report kind (one run, a sweep, a comparison) and saves a full-page PNG of each
 * from headless Chromium (docs/report-*.png by default), down to its last chart, so a person can
 * look at them; the README shows these.
 * `npm run report:screenshot -- --results file.json [out.png]` shows one results file instead.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtmlReport, type HtmlReportOptions, type ReportRun } from '../src/report/html.js';
import { parseConditions } from '../src/conditions/condition.js';
import { checkThresholds } from '../src/conditions/thresholds.js';
import { compareRuns } from '../src/report/compare.js';
import { readResults } from '../src/results/writer.js';
import type { Results } from '../src/model/results.js';
import { run } from '../src/run/runner.js';
import type { ReferenceServerOptions, ServeOptions } from '../src/server/index.js';
import { startServerThread } from '../test/helpers/server-thread.js';
import type { ScenarioInput } from '../src/scenario/schema.js';
import { launchChromium } from '../test/helpers/chromium.js';

async function against(server: ServeOptions, scenario: (url: string) => ScenarioInput): Promise<Results> {
  // The server on its own thread: the client's timings are not the server's event loop.
  const s = await startServerThread(server as Partial<ReferenceServerOptions>);
  try {
    return (await run(scenario(s.url), { commandLine: ['inferbench', 'run'] })).results;
  } finally {
    await s.close();
  }
}

const chat = (url: string, name: string, load: Record<string, unknown>, extra: Record<string, unknown> = {}): ScenarioInput =>
  ({ name, target: { protocol: 'openai', url: `${url}/v1/chat/completions`, model: 'm', max_tokens: 64 }, load, output: { write: false }, ...extra }) as ScenarioInput;

async function screenshot(runs: ReportRun[], opts: HtmlReportOptions, png: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'inferbench-report-'));
  const htmlPath = join(dir, 'report.html');
  await writeFile(htmlPath, renderHtmlReport(runs, opts));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForSelector('[data-rendered="true"]');
    // Down to the end of the charts (the tables below are text), so the picture stays small.
    const chartsEndPx = await page.evaluate(() => Math.max(...Array.from(document.querySelectorAll('figure')).map((f) => f.getBoundingClientRect().bottom + window.scrollY)) + 16);
    await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: chartsEndPx } });
    console.log(`screenshot: ${png} (report: ${htmlPath})`);
  } finally {
    await browser.close();
  }
}

const args = process.argv.slice(2);
if (args[0] === '--results') {
  const results = await readResults(args[1]!);
  await screenshot([{ label: results.name, results }], {}, args[2] ?? 'report.png');
} else {
  const out = resolve(args[0] ?? 'docs');
  await mkdir(out, { recursive: true });
  const llm: ServeOptions = { ttft: 'lognormal:120ms:0.35', itl: 'lognormal:8ms:0.3', tokens: 'uniform:16:64', errorRate: '3%', seed: 3 };
  const single = await against(llm, (url) => chat(url, 'chat', { mode: 'rate', rate: 30, duration: '3s', arrival: 'poisson' }));
  const outcomes = checkThresholds(single, parseConditions('p95(ttft)<400ms and error_rate<1%'));
  await screenshot([{ label: single.name, results: single }], { thresholds: outcomes }, join(out, 'report-run.png'));

  // A queue that grows with load, so the sweep has a knee.
  const queued: ServeOptions = { ...llm, ttftPerInFlight: '6ms', errorRate: 0 };
  const sweep = await against(queued, (url) => chat(url, 'chat-sweep', { mode: 'concurrency', concurrency: 1, requests: 40 }, { sweep: { concurrency: [1, 4, 16, 32] } }));
  await screenshot([{ label: sweep.name, results: sweep }], {}, join(out, 'report-sweep.png'));

  const before = await against(llm, (url) => chat(url, 'before', { mode: 'concurrency', concurrency: 8, requests: 160 }));
  const after = await against({ ...llm, ttft: 'lognormal:95ms:0.35', seed: 4 }, (url) => chat(url, 'after', { mode: 'concurrency', concurrency: 8, requests: 160 }));
  const comparison = compareRuns(before, after, { targets: parseConditions('p95(ttft)<250ms') });
  await screenshot(
    [
      { label: 'before', results: before },
      { label: 'after', results: after },
    ],
    { comparisons: [comparison] },
    join(out, 'report-compare.png'),
  );
}

/**
 * `npm run report:screenshot [results.json] [out.png]`: renders the HTML report of a results
 * file (or of a fresh small run against the reference server) in headless Chromium and saves a
 * full-page PNG, so a person can look at what the report looks like.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtmlReport } from '../src/report/html.js';
import { parseConditions } from '../src/conditions/condition.js';
import { checkThresholds } from '../src/conditions/thresholds.js';
import { readResults } from '../src/results/writer.js';
import type { Results } from '../src/model/results.js';
import { run } from '../src/run/runner.js';
import { serve } from '../src/server/index.js';
import { launchChromium } from '../test/helpers/chromium.js';

async function freshResults(): Promise<Results> {
  const server = await serve({ ttftMs: 'lognormal:120ms:0.3', itlMs: 'lognormal:8ms:0.3', outputTokens: 'uniform:16:48', errorRate: 0.03, seed: 3 });
  try {
    const { results } = await run(
      {
        name: 'screenshot',
        target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 64 },
        load: { mode: 'rate', rate: 60, requests: 300, arrival: 'poisson' },
        output: { write: false },
      },
      { commandLine: ['inferbench', 'run', '--rate', '60'] },
    );
    return results;
  } finally {
    await server.close();
  }
}

const [input, output = 'benchmarks/results/report-screenshot.png'] = process.argv.slice(2);
const results = input ? await readResults(input) : await freshResults();
const outcomes = checkThresholds(results, ['p95(ttft)<400ms', 'error_rate<1%'].flatMap((t) => parseConditions(t)));
const dir = await mkdtemp(join(tmpdir(), 'inferbench-report-'));
const htmlPath = join(dir, 'report.html');
await writeFile(htmlPath, renderHtmlReport([{ label: results.name, results }], { thresholds: outcomes }));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(htmlPath).href);
  await page.waitForSelector('[data-rendered="true"]');
  await mkdir(dirname(resolve(output)), { recursive: true });
  await page.screenshot({ path: output, fullPage: true });
  console.log(`screenshot: ${output}\nreport: ${htmlPath}`);
} finally {
  await browser.close();
}

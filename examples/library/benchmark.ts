/**
 * inferbench as a library: start the reference server, benchmark it at two concurrencies,
 * check conditions, compare the runs, write an HTML report, and merge a run split in two.
 * Run it with `npx tsx benchmark.ts`, or compile it with tsc and run the .js with node.
 */
import { writeFile } from 'node:fs/promises';
import {
  checkThresholds,
  compareRuns,
  formatComparison,
  formatSummary,
  formatThresholdOutcomes,
  mergeSegmentParts,
  parseConditions,
  renderHtmlReport,
  run,
  serve,
  type Results,
  type ScenarioInput,
} from 'inferbench';

// Options are named like `inferbench serve`'s flags: --ttft, --itl, --tokens, --error-rate.
const server = await serve({ ttft: 'lognormal:40ms:0.3', itl: '4ms', tokens: 'uniform:8:24', errorRate: '2%', seed: 7 });
try {
  const chat = (concurrency: number): ScenarioInput => ({
    name: `chat-c${concurrency}`,
    target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'reference', max_tokens: 24 },
    load: { mode: 'concurrency', concurrency, requests: 48 },
    output: { write: false },
  });

  const before: Results = (await run(chat(2))).results;
  const after: Results = (await run(chat(8))).results;
  console.log(formatSummary(after));

  // The condition language of `--threshold`; a failed one is { passed: false, message }.
  const outcomes = checkThresholds(after, parseConditions('p95(ttft)<500ms and error_rate<10%'));
  console.log(formatThresholdOutcomes(outcomes));

  // The change of each metric with its 95% bootstrap interval and a verdict.
  const comparison = compareRuns(before, after);
  console.log(formatComparison(comparison));
  await writeFile('compare.html', await renderHtmlReport([{ label: 'c=2', results: before }, { label: 'c=8', results: after }], { comparisons: [comparison] }));

  // A run split in two (as `--segment 0/2` and `--segment 1/2` on two machines), merged back.
  const parts = await Promise.all([0, 1].map((index) => run(chat(8), { segment: { index, count: 2 } })));
  const merged = mergeSegmentParts(parts.map((part, i) => ({ source: `segment ${i}`, results: part.results })));
  console.log(`merged: ${merged.points[0]!.measure.counts.sent} requests from ${parts.length} parts`);

  if (outcomes.some((o) => !o.passed)) process.exitCode = 3;
} finally {
  await server.close();
}

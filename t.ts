import { run } from './src/runner.ts';
import { compareRuns } from './src/report/compare.ts';
import { startReseedableServer } from './test/helpers/reseedable-server.ts';
const s = await startReseedableServer();
async function r(seed: number) {
  const url = await s.restart({ ttftMs: 'lognormal:60ms:0.25', itlMs: '1ms', outputTokens: 4, seed });
  return (await run({ name: 'x', target: { protocol: 'openai', url: `${url}/v1/chat/completions`, model: 'm', max_tokens: 4 },
    load: { mode: 'concurrency', concurrency: 32, requests: 32 }, phases: { warmup: { requests: 32 } }, tokenizer: 'none', output: { write: false } })).results;
}
for (let seed = 100; seed < 108; seed++) {
  const a = await r(seed), b = await r(seed);
  const row = compareRuns(a, b).points[0]!.rows[0]!;
  const sa = a.points[0]!.measure.metrics.ttft!.summary, sb = b.points[0]!.measure.metrics.ttft!.summary;
  console.log(seed, sa.min.toFixed(1), sa.p50.toFixed(1), sb.min.toFixed(1), sb.p50.toFixed(1), row.interval!.low.toFixed(1), row.interval!.high.toFixed(1), row.verdict);
}
await s.close();

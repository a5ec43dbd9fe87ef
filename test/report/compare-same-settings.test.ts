import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/report/compare.js';
import type { Results } from '../../src/model/results.js';
import { run } from '../../src/run/runner.js';
import { startReseedableServer, type ReseedableServer } from '../helpers/reseedable-server.js';

let server: ReseedableServer;
beforeAll(async () => {
  server = await startReseedableServer();
  // The first run in a process pays for JIT and module warm-up; it would make its pair look "different".
  await referenceRun('uniform:20ms:220ms', 1);
}, 20_000);
afterAll(async () => {
  await server?.close();
});

/** 32 streams at once against a freshly seeded reference server on its own thread; a few fast tokens. */
async function referenceRun(ttftMs: string, seed: number): Promise<Results> {
  const url = await server.restart({ ttftMs, itlMs: '1ms', outputTokens: 4, seed });
  const { results } = await run({
    name: 'same-settings',
    target: { protocol: 'openai', url: `${url}/v1/chat/completions`, model: 'm', max_tokens: 4 },
    load: { mode: 'concurrency', concurrency: 32, requests: 32 },
    tokenizer: 'none',
    output: { write: false },
  });
  return results;
}

describe('compare on two runs with the same settings', () => {
  it('says "no real change" for two runs with the same settings in at least 19 of 20 seeded repeats', async () => {
    const verdicts: string[] = [];
    // Same settings, seed included: each pair draws the same true timings; only measurement differs.
    // A bounded TTFT and no warmup wave keep the 40 runs fast (both runs of a pair open their connections alike).
    for (let seed = 100; seed < 120; seed++) {
      const a = await referenceRun('uniform:20ms:220ms', seed);
      const b = await referenceRun('uniform:20ms:220ms', seed);
      verdicts.push(compareRuns(a, b, { seed }).points[0]!.rows.find((r) => r.label === 'ttft (p50)')!.verdict!);
    }
    expect(verdicts.filter((v) => v === 'no real change').length, verdicts.join(', ')).toBeGreaterThanOrEqual(19);
  }, 30_000);
});

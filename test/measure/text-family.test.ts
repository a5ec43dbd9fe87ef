import { describe, expect, it } from 'vitest';
import { METRICS, metricsOfFamily, type MetricDefinition } from '../../src/model/metrics.js';
import { run } from '../../src/run/runner.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * A text stream keeps every text metric (families.test.ts holds the other families), and its
 * peak tok/s matches the server's busiest second: a timing check, so it runs with the timing tests.
 */
const TEXT_ONLY = Object.entries(METRICS as Record<string, MetricDefinition>)
  .filter(([, d]) => d.families?.length === 1 && d.families[0] === 'text')
  .map(([name]) => name);

describe('text: an OpenAI stream', () => {
  it('keeps every text metric, and peak tok/s of 4 parallel streams is within 10% of the server’s busiest second', async () => {
    const thread: ServerThread = await startServerThread({ seed: 12, ttftMs: 20, itlMs: 'lognormal:6ms:0.3', outputTokens: 200 });
    try {
      const { results } = await run({
        target: { protocol: 'openai', url: `${thread.url}/v1/chat/completions`, max_tokens: 200 },
        load: { concurrency: 4, requests: 12 },
        tokenizer: 'none',
        output: { write: false },
      });
      const m = results.points[0]!.measure;
      expect(m).toMatchObject({ family: 'text', streamed: true });
      for (const name of metricsOfFamily({ family: 'text', streamed: true }, 'request').filter((n) => TEXT_ONLY.includes(n) && n !== 'input_tokens')) {
        expect(m.metrics[name], name).toBeDefined();
      }
      // The server's busiest second, its token writes placed on the client's phase clock.
      const perSecond: number[] = [];
      for (const g of await thread.groundTruth()) {
        for (const e of g.events) {
          if (e.kind !== 'content' || e.tokens === 0) continue;
          const sec = Math.floor((g.timeOriginMs + e.atMs - m.startedAtEpochMs) / 1000);
          if (sec >= 0) perSecond[sec] = (perSecond[sec] ?? 0) + e.tokens;
        }
      }
      const serverPeak = Math.max(...perSecond.filter((n) => n !== undefined));
      expect(serverPeak).toBeGreaterThan(0);
      expect(Math.abs(m.throughput.peakOutputTokensPerSecond! - serverPeak) / serverPeak).toBeLessThan(0.1);
      expect(m.series.outputTokens!.reduce((a, b) => a + b, 0)).toBe(m.tokens!.totalOutputTokens);
    } finally {
      await thread.close();
    }
  });
});

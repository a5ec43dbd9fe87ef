import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { expectStreamMatchesTruth, FAST_STREAM, measureAgainstTruth } from './truth.js';
import { TARGETS } from './family-targets.js';

describe.each(Object.keys(TARGETS))('%s against ground truth', (name) => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ seed: 21, ...FAST_STREAM });
  });
  afterAll(() => server.close());

  it('measures TTFT, ITL and latency medians within 2 ms of truth, with the generated text and token counts', async () => {
    const { pairs, results, serverLateness } = await measureAgainstTruth(TARGETS[name]!(server.url), server, { concurrency: 2, requests: 16 });
    expect(pairs.length).toBe(16);
    expectStreamMatchesTruth(pairs, results.points[0]!.measure, { server: serverLateness });
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(16);
    const truthTokens = pairs.reduce((sum, p) => sum + p.truth.outputTokens, 0);
    // Tokens: the server's count where the protocol reports one, else one per content event (one token each here).
    expect(m.tokens!.usageTotal ?? m.tokens!.eventsTotal).toBe(truthTokens);
    if (name.startsWith('ollama')) {
      expect(m.tokens!.source).toBe('usage');
      expect(m.metrics.server_eval_duration).toBeDefined();
      expect(m.metrics.server_decode_tokens_per_s!.unit).toBe('tokens/s');
    }
    if (name.startsWith('tgi') || name === 'openai-responses') expect(m.tokens!.source).toBe('usage');
  });
});

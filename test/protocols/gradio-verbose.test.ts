import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

/** `--verbose` prints what the HF Space script printed (its README's example output). */
let server: ReferenceServer;
beforeAll(async () => {
  // A stream that stalls after a few tokens and sends heartbeats until the client's timeout.
  server = await serve({ seed: 3, ttftMs: 10, itlMs: 2, outputTokens: 6, heartbeatMs: 20 });
});
afterAll(() => server.close());

describe('gradio --verbose', () => {
  it('prints the header with the prompts and, per run, every SSE event it received', async () => {
    const r = await runCli(['run', '--protocol', 'gradio', '--url', server.url, '--api', '/predict', '--data', '["You are a helpful assistant.", "Explain the difference between JVM and JDK.", 64, 0.1, 0.1]', '-n', '2', '--verbose', '--no-write', '--tokenizer', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('BENCHMARK: Running 2 iteration(s)');
    expect(r.stderr).toMatch(/System prompt: +You are a helpful assistant\./);
    expect(r.stderr).toMatch(/User prompt: +Explain the difference between JVM and JDK\./);
    // 6 tokens: a generating event each, plus the complete event (and the queue's own events).
    const counts = [...r.stderr.matchAll(/SSE events received: +(\d+)/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(2);
    for (const n of counts) expect(n).toBeGreaterThanOrEqual(7);
  });

  it('a failed run shows the timings and events it got before failing, heartbeats apart', async () => {
    const stalled = await serve({ seed: 3, ttftMs: 10, itlMs: 2, outputTokens: 50, stallRate: 1, heartbeatMs: 20 });
    try {
      const r = await runCli(['run', '--protocol', 'gradio', '--url', stalled.url, '--api', '/predict', '--data', '["sys", "Hello", 64, 0.1, 0.1]', '--timeout', '300ms', '-n', '1', '--verbose', '--no-write', '--tokenizer', 'none']);
      expect(r.stderr).toContain('✗ Failed (timeout)');
      // The call's own timeout, not what remained of it after the POST (the GET's share, 291.87 ms once).
      expect(r.stderr).toContain('no complete answer within the 300 ms timeout');
      expect(r.stderr).toMatch(/Time to first event: +\d+\.\d+s/);
      expect(r.stderr).toMatch(/Failed after: +0\.3\d\ds/);
      expect(r.stderr).toMatch(/SSE events received: +\d+ \(\+\d+ heartbeats?\)/);
      expect(r.stderr).toMatch(/Output so far: +\S/);
    } finally {
      await stalled.close();
    }
  });
});

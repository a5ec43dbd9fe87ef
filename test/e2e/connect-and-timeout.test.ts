import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve, type Timeline } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { recordOf } from '../../src/results/records.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 9, echoDelayMs: '300ms' });
});
afterAll(() => server.close());

describe('one clock for the timeout and the latency', () => {
  it('a call that times out failed after the configured timeout, measured from its start, and says the value', async () => {
    const { results } = await run({
      target: { protocol: 'http', url: `${server.url}/echo`, timeout: '100ms' },
      load: { concurrency: 16, requests: 16 },
      output: { write: false },
    });
    const m = results.points[0]!.measure;
    expect(m.counts.byOutcome.timeout).toBe(16);
    // Each failure took the 100 ms it was allowed (not the 0.015 ms left after a late send stamp).
    expect(m.metrics.error_latency!.summary.min).toBeGreaterThanOrEqual(99);
    expect(m.counts.errors[0]!.message).toContain('100 ms timeout');
  });

  it('a call whose answer never comes fails after its whole timeout, counted from its start (connect included)', async () => {
    // A listener that accepts TCP but never answers: the request reaches the socket, then waits.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const timelines: Timeline[] = [];
    try {
      await run({ target: { protocol: 'http', url: `http://127.0.0.1:${port}/`, timeout: '150ms' }, load: { requests: 2 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    } finally {
      silent.close();
    }
    for (const t of timelines) {
      expect(t.outcome).toBe('timeout');
      const r = recordOf(t, 'measure', 'x');
      expect(r.latency_ms).toBeGreaterThanOrEqual(149);
      expect(r.latency_ms).toBeLessThan(1000);
    }
  });
});

describe('connect', () => {
  it('is its own metric, charged to the call that opened the connection, and part of closed-loop latency', async () => {
    const fast = await serve({ seed: 1, echoDelayMs: '5ms' });
    const timelines: Timeline[] = [];
    try {
      const { results } = await run({ target: { protocol: 'http', url: `${fast.url}/echo` }, load: { concurrency: 4, requests: 40 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
      const m = results.points[0]!.measure;
      const opened = timelines.filter((t) => t.connectMs !== undefined);
      // Four users need four connections; keep-alive reuses them afterwards.
      expect(opened.length).toBeGreaterThanOrEqual(4);
      expect(opened.length).toBeLessThan(40);
      expect(m.metrics.connect!.summary.count).toBe(opened.length);
      for (const t of opened) {
        expect(t.connectMs!).toBeGreaterThan(0);
        const r = recordOf(t, 'measure', 'x');
        // Latency runs from the start of the connect, the send comes after it.
        expect(r.latency_ms).toBeCloseTo(t.endMs - t.sentMs + t.connectMs!, 2);
        expect(r.connect_ms).toBeCloseTo(t.connectMs!, 2);
      }
    } finally {
      await fast.close();
    }
  });
});

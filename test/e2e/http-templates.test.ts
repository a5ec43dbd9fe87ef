import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve, type Timeline } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 3, echoDelayMs: '1ms' });
});
afterAll(() => server.close());

describe('plain HTTP targets (library API)', () => {
  it('fills body templates from dataset rows, index and seeded values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-dataset-'));
    const rows = join(dir, 'rows.jsonl');
    await writeFile(rows, ['{"prompt":"alpha","n":1}', '{"prompt":"beta","n":2}', '{"prompt":"gamma","n":3}'].join('\n'));
    server.groundTruth.clear();
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: {
          protocol: 'http',
          url: `${server.url}/echo`,
          method: 'POST',
          body: { prompt: '{{row.prompt}}', n: '{{row.n}}', call: '{{index}}', id: '{{uuid}}', temperature: '{{random.uniform 0 1}}' },
          query: { call: '{{index}}' },
        },
        load: { requests: 6 },
        dataset: { path: rows },
        output: { write: false },
      },
      { onRequest: (t) => timelines.push(t) },
    );
    expect(results.points[0]!.measure.counts.ok).toBe(6);
    const echoed = timelines.sort((a, b) => a.index - b.index).map((t) => JSON.parse(t.bodyPreview!).echo as Record<string, unknown>);
    expect(echoed.map((e) => e.prompt)).toEqual(['alpha', 'beta', 'gamma', 'alpha', 'beta', 'gamma']);
    expect(echoed.map((e) => e.n)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(echoed.map((e) => e.call)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(echoed.map((e) => e.id)).size).toBe(6);
    for (const e of echoed) expect(e.temperature).toBeGreaterThanOrEqual(0);
    expect(server.groundTruth.all().map((g) => g.path)).toContain('/echo');
  });

  it('counts arrivals over the in-flight cap as dropped', async () => {
    const slow = await serve({ seed: 1, echoDelayMs: '200ms' });
    try {
      const { results } = await run({
        target: { protocol: 'http', url: `${slow.url}/echo` },
        load: { rate: 100, arrival: 'constant', requests: 20, max_in_flight: 5 },
        output: { write: false },
      });
      const c = results.points[0]!.measure.counts;
      // 20 arrivals 10 ms apart, each held 200 ms: only the first 5 fit.
      expect(c.sent).toBe(5);
      expect(c.dropped).toBe(15);
    } finally {
      await slow.close();
    }
  });

  it('stops early when the error budget is spent, and says why', async () => {
    const failing = await serve({ seed: 1, errorRate: 1, errorStatus: 503 });
    try {
      const { results } = await run({
        target: { protocol: 'http', url: `${failing.url}/echo` },
        load: { requests: 100 },
        stop: { max_errors: 5 },
        output: { write: false },
      });
      expect(results.interrupted).toBe(true);
      expect(results.interruptReason).toContain('stop.max_errors');
      expect(results.points[0]!.measure.counts.byStatus['503']).toBe(5);
    } finally {
      await failing.close();
    }
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { applyRunFlags } from '../../src/cli/run-flags.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import type { Timeline } from '../../src/model/timeline.js';

/** The protocol added in one folder, one registry line and one reference-server route. */
let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 2, ttftMs: '3ms' });
});
afterAll(() => server.close());

describe('openai-embeddings', () => {
  it('is implied by a /v1/embeddings URL and takes --prompt and --model as its input and model', () => {
    const { scenario } = resolveScenario(applyRunFlags({}, { url: `${server.url}/v1/embeddings`, prompt: 'embed {{index}}', model: 'e5' }), {});
    expect(scenario.target).toMatchObject({ protocol: 'openai-embeddings', input: 'embed {{index}}', model: 'e5' });
  });

  it('measures a unary call per request, with the vectors returned and the prompt tokens the server counted', async () => {
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { protocol: 'openai-embeddings', url: `${server.url}/v1/embeddings`, input: ['one two three', 'four five'], dimensions: 16 }, load: { concurrency: 2, requests: 10 }, output: { write: false } },
      { onRequest: (t) => timelines.push(t) },
    );
    const m = results.points[0]!.measure;
    expect(m).toMatchObject({ family: 'unary', streamed: false });
    expect(m.counts.ok).toBe(10);
    expect(m.metrics.embeddings_count!.summary).toMatchObject({ min: 2, max: 2 });
    expect(m.metrics.embedding_dimensions_count!.summary).toMatchObject({ min: 16, max: 16 });
    expect(m.metrics.prompt_tokens!.summary).toMatchObject({ min: 5, max: 5, count: 10 });
    expect(m.metrics.ttft).toBeUndefined();
    const truth = new Map(server.groundTruth.all().map((g) => [g.id, g]));
    for (const t of timelines) expect(truth.get(t.serverRequestId!)!.status).toBe(200);
  });

  it('fails an answer with fewer vectors than inputs as a protocol error, and a 400 as an http error', async () => {
    const short: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ index: 0, embedding: [0.1] }] })));
    await new Promise<void>((resolve) => short.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(short.address() as AddressInfo).port}/v1/embeddings`;
      const { results } = await run({ target: { protocol: 'openai-embeddings', url, input: ['a', 'b'] }, load: { requests: 3 }, output: { write: false } });
      expect(results.points[0]!.measure.counts.byOutcome.protocol_error).toBe(3);
      expect(results.points[0]!.measure.counts.errors[0]!.message).toMatch(/1 embedding for 2 inputs/);
    } finally {
      short.close();
    }
    const bad = await run({ target: { protocol: 'openai-embeddings', url: `${server.url}/v1/embeddings`, input: [] as unknown as string }, load: { requests: 1 }, output: { write: false } }).catch((e: Error) => e);
    expect(String(bad)).toMatch(/target\.input/);
  });
});

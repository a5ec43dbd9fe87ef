import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/model/timeline.js';
import { TargetUnreachableError } from '../../src/run/probe.js';
import { run } from '../../src/run/runner.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { RESULTS_SCHEMA_PATH, SCENARIO_SCHEMA_PATH, scenarioSchemaText } from '../../scripts/write-schemas.js';

/** Outcomes, phases, schemas and an unreachable target: what a run counts, not how it is timed. */
const Ajv2020 = Ajv2020Module.default;

describe('faults and phases (reference server in process)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await serve({ seed: 9, ttftMs: '5ms', itlMs: '1ms', outputTokens: 8, errorRate: 0.1, errorStatus: 500 });
  });
  afterAll(() => server.close());

  it('counts exactly the injected 500s as http_error and completes the run', async () => {
    server.groundTruth.clear();
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { protocol: 'openai', url: `${server.url}/v1/chat/completions` }, load: { concurrency: 8, requests: 200 }, output: { write: false } },
      { onRequest: (t) => timelines.push(t) },
    );
    const injected = server.groundTruth.all().filter((g) => g.fault === 'error');
    expect(injected.length).toBeGreaterThan(5);
    const m = results.points[0]!.measure;
    expect(m.counts.sent).toBe(200);
    expect(m.counts.byOutcome.http_error).toBe(injected.length);
    expect(m.counts.byStatus['500']).toBe(injected.length);
    expect(m.counts.ok).toBe(200 - injected.length);
    const failedIds = new Set(timelines.filter((t) => t.outcome === 'http_error').map((t) => t.serverRequestId));
    expect(failedIds).toEqual(new Set(injected.map((g) => g.id)));
    expect(m.counts.errors[0]!.message).toMatch(/^HTTP 500: /);
  });

  it('leaves warmup requests out of the measured results', async () => {
    server.groundTruth.clear();
    const { results } = await run({
      target: { protocol: 'http', url: `${server.url}/echo` },
      load: { concurrency: 2, requests: 20 },
      phases: { warmup: { requests: 7 } },
      output: { write: false },
    });
    const point = results.points[0]!;
    expect(server.groundTruth.all()).toHaveLength(27);
    expect(point.warmup!.sent).toBe(7);
    expect(point.measure.counts.sent).toBe(20);
    expect(point.measure.counts.completed).toBe(20);
    const measured = point.measure.counts.ok + point.measure.counts.failed;
    expect(measured).toBe(20);
    expect(point.measure.metrics.latency!.summary.count + (point.measure.metrics.error_latency?.summary.count ?? 0)).toBe(20);
  });
});

describe('a stalled stream', () => {
  it('becomes a timeout, and the run ends on time', async () => {
    const server = await serve({ seed: 2, ttftMs: '5ms', itlMs: '2ms', outputTokens: 50, stallRate: 1 });
    try {
      const started = performance.now();
      const { results } = await run({
        target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, timeout: '400ms' },
        load: { concurrency: 3, requests: 3 },
        output: { write: false },
      });
      const m = results.points[0]!.measure;
      expect(m.counts.byOutcome.timeout).toBe(3);
      expect(m.counts.ok).toBe(0);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });
});

describe('results and scenario schemas', () => {
  it('validates a real run written to disk against the checked-in results schema', async () => {
    const server = await serve({ seed: 1, ttftMs: '3ms', itlMs: '1ms', outputTokens: 6 });
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-results-'));
    try {
      const { path } = await run({
        name: 'schema-check',
        target: { protocol: 'openai', url: `${server.url}/v1/chat/completions` },
        load: { concurrency: 2, requests: 10 },
        output: { dir },
      });
      expect(path).toMatch(/schema-check_\d{8}_\d{6}\.json$/);
      expect(await readdir(dir)).toEqual([path!.split('/').pop()]);
      const written = JSON.parse(await readFile(path!, 'utf8'));
      const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(await readFile(RESULTS_SCHEMA_PATH, 'utf8')));
      expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
      expect(written.schemaVersion).toBe(2);
      expect(written.points[0].measure.family).toBe('text');
      expect(written.points[0].measure.counts.ok).toBe(10);
    } finally {
      await server.close();
    }
  });

  it('keeps schema/scenario.schema.json up to date (run `npm run schema` if this fails)', async () => {
    expect(await readFile(SCENARIO_SCHEMA_PATH, 'utf8')).toBe(scenarioSchemaText());
  });
});

describe('an unreachable target', () => {
  it('is reported with its URL and cause before any load', async () => {
    const err = await run({ target: { protocol: 'openai', url: 'http://127.0.0.1:9/v1/chat/completions' }, output: { write: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnreachableError);
    expect((err as Error).message).toContain('http://127.0.0.1:9/v1/chat/completions');
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});

import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve, type Timeline } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load-scenario.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 8, echoDelayMs: '1ms' });
});
afterAll(() => server.close());

const problemsOf = (raw: unknown): string => {
  try {
    resolveScenario(raw, {});
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('steps', () => {
  it('a setup step runs unmeasured and feeds the next: 10 predicts of the one series it fit', async () => {
    const timelines: [string, Timeline][] = [];
    const { results } = await run(
      {
        target: { protocol: 'http', method: 'POST', url: `${server.url}/fit/x` },
        steps: [
          {
            name: 'fit_one',
            setup: true,
            values: { series_id: 'benchmark_predict_{{run_id}}' },
            target: { url: `${server.url}/fit/{{series_id}}`, body: { timestamps: [1, 2, 3], values: [10, 10.2, 10.1] } },
            load: { requests: 1 },
          },
          { name: 'predict', target: { url: `${server.url}/predict/{{steps.fit_one.series_id}}`, query: { version: '0' }, body: { value: '{{random.uniform 8.5 13}}' } }, load: { requests: 10, concurrency: 4 } },
        ],
        output: { write: false },
      },
      { onRequest: (t, _p, label) => timelines.push([label, t]) },
    );
    expect(results.setup).toEqual([expect.objectContaining({ step: 'fit_one', sent: 1, ok: 1, failed: 0 })]);
    expect(results.points.map((p) => p.step)).toEqual(['predict']);
    expect(results.points[0]!.measure.counts).toMatchObject({ sent: 10, ok: 10 });
    const predicted = new Set(server.groundTruth.all().filter((g) => g.route === 'POST /predict/:series_id').map((g) => g.path));
    expect([...predicted]).toEqual([`/predict/benchmark_predict_${results.runId}`]);
  });

  it('predicts only the fits that succeeded, in call order, with a value captured from each fit answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-steps-'));
    // Rows 2, 5 and 8 are constant series: the server refuses them with 400.
    const rows = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `s${i}`, values: [2, 5, 8].includes(i) ? [1, 1, 1] : [1, 2, 3] }));
    await writeFile(join(dir, 'series.jsonl'), rows.join('\n'));
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: { protocol: 'http', method: 'POST', url: `${server.url}/x` },
        dataset: { path: join(dir, 'series.jsonl') },
        steps: [
          { name: 'fit', values: { series_id: '{{row.id}}' }, capture: { version: 'model_version', points: 'n_points' }, target: { url: `${server.url}/fit/{{series_id}}`, body: { timestamps: [1, 2, 3], values: '{{row.values}}' } }, load: { requests: 10 } },
          { name: 'predict', values: { series_id: '{{steps.fit.series_id}}', version: '{{steps.fit.version}}' }, target: { url: `${server.url}/predict/{{series_id}}`, query: { version: '{{version}}' }, body: {} }, record: ['series_id', 'version'] },
        ],
        output: { write: false },
      },
      { onRequest: (t, phase, label) => label === 'predict' && timelines.push(t) },
    );
    const [fit, predict] = results.points;
    expect(fit!.measure.counts).toMatchObject({ sent: 10, ok: 7, failed: 3 });
    expect(predict!.measure.counts).toMatchObject({ sent: 7, ok: 7, failed: 0 });
    const byIndex = timelines.sort((a, b) => a.index - b.index);
    expect(byIndex.map((t) => t.values?.series_id)).toEqual(['s0', 's1', 's3', 's4', 's6', 's7', 's9']);
    for (const t of byIndex) expect(t.values?.version).toBe('0');
  });

  it('a request-builder module writes the payload the notebook computes; paths are relative to the scenario file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-build-'));
    // The scenario and its module side by side, run from another directory (the test's).
    await copyFile(join(REPO_ROOT, 'test/scenario/fixtures/fit-payload.mjs'), join(dir, 'fit-payload.mjs'));
    const file = join(dir, 'fit-build.yaml');
    await writeFile(
      file,
      ['target:', '  protocol: http', '  method: POST', `  url: "${server.url}/fit/{{series_id}}"`, '  build: ./fit-payload.mjs', 'load: { requests: 12, concurrency: 4 }', 'record: [series_id, base]', `output: { dir: "${join(dir, 'out')}", records: csv }`, ''].join('\n'),
    );
    const loaded = await loadScenarioFile(file, {});
    expect((loaded.scenario.target as { build?: string }).build).toBe(join(dir, 'fit-payload.mjs'));
    const { results, recordsPath } = await run(loaded);
    expect(results.points[0]!.measure.counts).toMatchObject({ sent: 12, ok: 12 });
    const records = (await import('node:fs')).readFileSync(recordsPath!, 'utf8').trim().split('\n');
    expect(records[0]!.startsWith('call_index,series_id,base,')).toBe(true);
    // Rows are written as calls end (so an interrupted run keeps them), in completion order under concurrency.
    expect(records).toHaveLength(13);
    expect(records.find((r) => r.startsWith('5,'))).toMatch(new RegExp(`^5,benchmark_stress_${results.runId}_5,10,`));
  });

  it('checks references between steps before running: a later step, an unknown value, an unknown record column', () => {
    const base = { target: { protocol: 'http', url: 'http://127.0.0.1:1/x' } };
    const message = problemsOf({
      ...base,
      steps: [
        { name: 'predict', target: { url: 'http://127.0.0.1:1/p/{{steps.fit.series_id}}' } },
        { name: 'fit', values: { series_id: 'a' }, record: ['series'] },
        { name: 'again', target: { url: 'http://127.0.0.1:1/p/{{steps.fit.model}}' } },
      ],
    });
    expect(message).toContain('steps[0]: {{steps.fit.series_id}} names step "fit", which runs after this one');
    expect(message).toContain('steps[1].record: "series" is not one of this step\'s values or captures (series_id)');
    expect(message).toContain('steps[2]: {{steps.fit.model}}: step "fit" names no value "model"; it has series_id');
  });
});

describe('conflicting load fields and --no-write', () => {
  it('-c with --rate, --think-time with --rate, and a scenario with both rate and concurrency exit 2 naming the field and the fix', async () => {
    const both = await runCli(['run', '--url', `${server.url}/echo`, '-c', '8', '--rate', '8', '-n', '1', '--no-write']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--rate: given with -c/--concurrency');
    const think = await runCli(['run', '--url', `${server.url}/echo`, '--rate', '8', '--think-time', '1s', '-n', '1', '--no-write']);
    expect(think.code).toBe(2);
    expect(think.stderr).toContain('--think-time: given with --rate');
    expect(problemsOf({ target: { protocol: 'http', url: 'http://127.0.0.1:1/' }, load: { rate: 5, concurrency: 4 } })).toContain('load.concurrency: an open loop (rate) sends on its schedule');
    // A flag that picks the other loop replaces the file's: no conflict.
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-flags-'));
    await writeFile(join(dir, 's.yaml'), `target: { protocol: http, url: "${server.url}/echo" }\nload: { concurrency: 4, requests: 4 }\n`);
    const over = await runCli(['run', join(dir, 's.yaml'), '--rate', '50', '--no-write', '-q']);
    expect(over.code, over.stderr).toBe(0);
  });

  it('--no-write writes no records file either', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-nowrite-'));
    const r = await runCli(['run', '--url', `${server.url}/echo`, '-n', '3', '--records', 'csv', '--output-dir', dir, '--no-write', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  it('records never carry a secret: an ${ENV} url quoted in connection errors is redacted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-records-secret-'));
    await writeFile(join(dir, 's.yaml'), 'target: { protocol: http, url: "${PRIVATE_HOST}/x" }\nload: { requests: 2 }\noutput: { records: csv }\n');
    const { run: runLib } = await import('../../src/run/runner.js');
    const { loadScenarioFile } = await import('../../src/scenario/load-scenario.js');
    const loaded = await loadScenarioFile(join(dir, 's.yaml'), { PRIVATE_HOST: 'http://127.0.0.1:9' });
    const { recordsPath } = await runLib({ ...loaded, scenario: { ...loaded.scenario, output: { ...loaded.scenario.output, dir: join(dir, 'lib') } } }, { skipProbe: true });
    const text = (await import('node:fs')).readFileSync(recordsPath!, 'utf8');
    expect(text).toContain('[redacted]');
    // The secret is the whole value substituted (the url); the socket error's own host:port stays.
    expect(text).not.toContain('http://127.0.0.1:9');
  });
});

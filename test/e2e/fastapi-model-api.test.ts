import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * The REST team's job against a server we did not write for the purpose: an independent FastAPI
 * app (Debian's python3-fastapi and python3-uvicorn) with pydantic validation.
 */
let app: ChildProcess;
let url: string;
beforeAll(async () => {
  app = spawn('/usr/bin/python3', [join(REPO_ROOT, 'test/fixtures/fastapi_model_api.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    app.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    app.once('exit', (code) => reject(new Error(`the FastAPI app exited (${code}) before listening; is python3-fastapi installed?`)));
  });
});
afterAll(() => {
  app?.kill();
});

describe('examples/rest-fit-predict.yaml against an independent FastAPI app', () => {
  it('fits 100 series, predicts each, and the app saw exactly the recorded series ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-fastapi-'));
    const r = await runCli(['run', 'examples/rest-fit-predict.yaml', '--cooldown', '0', '--output-dir', dir, '-q'], { env: { BASE_URL: url } });
    expect(r.code, r.stderr).toBe(0);
    const files = await readdir(dir);
    const results = JSON.parse(await readFile(join(dir, files.find((f) => f.endsWith('.json'))!), 'utf8')) as Results;
    for (const p of results.points) expect(p.measure.counts).toMatchObject({ sent: 100, ok: 100, failed: 0 });
    const rows = parseCsv(await readFile(join(dir, files.find((f) => f.endsWith('.csv'))!), 'utf8'), { columns: true }) as { series_id: string; load_point: string; phase: string }[];
    const seen = (await (await fetch(`${url}/series`)).json()) as { fitted: string[]; predicted: string[] };
    expect(seen.fitted).toEqual([...new Set(rows.filter((x) => x.load_point === 'fit').map((x) => x.series_id))].sort());
    expect(seen.predicted.sort()).toEqual(rows.filter((x) => x.load_point === 'predict').map((x) => x.series_id).sort());
  }, 90_000);

  it("a body of the wrong shape gets FastAPI's own 422, grouped as one error whatever the series id", async () => {
    const r = await runCli(['run', '--url', `${url}/fit/bad_{{index}}`, '--method', 'POST', '--body', '{"timestamps": "soon"}', '-n', '6', '--json', '--no-write']);
    // Not one call succeeded: exit 1 (README, exit codes), with the results still printed.
    expect(r.code, r.stderr).toBe(1);
    const m = (JSON.parse(r.stdout) as Results).points[0]!.measure;
    expect(m.counts.byStatus).toEqual({ '422': 6 });
    expect(m.counts.errors).toHaveLength(1);
    expect(m.counts.errors[0]!.message).toContain('HTTP 422');
  }, 60_000);
});

import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { serve } from '../../src/index.js';
import type { Results } from '../../src/model/results.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { runCli, startCli } from '../helpers/cli.js';

/**
 * The distributed workflow as documented: the README's segment commands, and the commands
 * inside the generated Kubernetes Job run as local processes, each part written where its
 * command says, then merged.
 */
let server: ReferenceServer;
let dir: string;
let scenarioPath: string;
beforeAll(async () => {
  server = await serve({ seed: 2, echoDelayMs: '1ms' });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-distributed-'));
  scenarioPath = join(dir, 'echo.yaml');
  await writeFile(scenarioPath, `name: echo-split\ntarget: { protocol: http, url: "${server.url}/echo" }\nload: { rate: 40, arrival: constant, requests: 40 }\n`);
});
afterAll(() => server.close());

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Results;

describe('segments merged as the README and the Kubernetes Job write them', () => {
  it('merges parts written with different --out paths and output directories', async () => {
    const runs = await Promise.all(
      [0, 1, 2].map((k) =>
        runCli(k < 1 ? ['run', scenarioPath, '--segment', `${k}/3`, '--out', join(dir, `part-${k}.json`), '-q'] : ['run', scenarioPath, '--segment', `${k}/3`, '--output-dir', join(dir, `machine-${k}`), '-q']),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const parts = [join(dir, 'part-0.json')];
    for (const k of [1, 2]) parts.push(...(await readdir(join(dir, `machine-${k}`))).map((f) => join(dir, `machine-${k}`, f)));
    const merged = await runCli(['merge', ...parts, '-o', join(dir, 'results.json'), '-q']);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    const results = await readJson(join(dir, 'results.json'));
    expect(results.points[0]!.measure.counts).toMatchObject({ sent: 40, ok: 40 });
    expect(results.mergedFrom?.parts).toBe(3);
  }, 120_000);

  it('runs the Job\'s own commands: every pod holds its load until the shared start, and the merge Job\'s command merges them', async () => {
    const gen = await runCli(['k8s', scenarioPath, '--parts', '2', '--image', 'x', '--start-lead', '6s']);
    expect(gen.code).toBe(0);
    const [, , job, mergeJob] = parseAllDocuments(gen.stdout).map((d) => d.toJS() as Record<string, any>);
    const container = job!.spec.template.spec.containers[0];
    const results = join(dir, 'k8s-results');
    await mkdir(results);
    // The pod's view: /scenario holds the ConfigMap's file, /results the shared volume; the env the Job sets.
    const local = (arg: string, k: number) =>
      arg.replaceAll('$(JOB_COMPLETION_INDEX)', String(k)).replaceAll('$(JOB_UID)', 'uid-1').replace('/scenario/', `${dir}/`).replace('/results/', `${results}/`);
    const pods = [0, 1].map((k) => startCli((container.args as string[]).map((a) => local(a, k))).done);
    const done = await Promise.all(pods);
    for (const r of done) expect(r.code, r.stderr).toBe(0);
    const parts = await Promise.all([0, 1].map((k) => readJson(join(results, `part-${k}.json`))));
    // One shared origin: the measured phases of all pods started at the same instant.
    const origins = parts.map((p) => p.points[0]!.measure.startedAtEpochMs);
    expect(Math.max(...origins) - Math.min(...origins)).toBeLessThan(1);
    expect(new Set(parts.map((p) => p.runId)).size).toBe(1);

    const command: string = mergeJob!.spec.template.spec.containers[0].command.join(' ');
    const args = command.replace(/^.*main\.js /, '').split(' ');
    const files = (await readdir(results)).filter((f) => /^part-.*\.json$/.test(f)).map((f) => join(results, f));
    const mergeArgs = args.flatMap((a) => (a.includes('part-*') ? files : [local(a, 0)]));
    const merged = await runCli([...mergeArgs, '-q']);
    expect(merged.code, merged.stderr).toBe(0);
    const out = await readJson(join(results, 'results.json'));
    expect(out.points[0]!.measure.counts).toMatchObject({ sent: 40, ok: 40 });
  }, 120_000);
});

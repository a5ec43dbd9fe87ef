import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

let server: ReferenceServer;
let dir: string;
beforeAll(async () => {
  // 100 ms of audio a word (350 by default): the same formats from shorter generations.
  server = await serve({ seed: 6, ttsMsPerWord: 100 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-tts-team-'));
  await writeFile(join(dir, 'texts.jsonl'), ['{"name":"ultra_short","text":"Hello there."}', '{"name":"short","text":"Hi, this is Sarah from customer service. How can I help you today?"}'].join('\n'));
  await writeFile(
    join(dir, 'tts.yaml'),
    [
      'name: tts-baseline',
      `target: { protocol: openai-speech, url: "${server.url}/v1/audio/speech", response_format: wav }`,
      'dataset: { path: texts.jsonl, each: true }',
      'load: { requests: 3 }',
      'phases: { warmup: { requests: 1 } }',
      'targets:',
      '  - { metric: TTFC, target: "p50(ttfc) < 400ms" }',
      '  - { metric: RTF, target: "mean(rtf) < 0.0001" }',
      'output: { tts_layout: true }',
      '',
    ].join('\n'),
  );
});
afterAll(() => server.close());

describe("the TTS team's own formats", () => {
  it('writes their results layout next to ours, and compare of two runs prints their box with "Target status: k/n"', async () => {
    const runs = [join(dir, 'before'), join(dir, 'after')];
    for (const out of runs) {
      const r = await runCli(['run', join(dir, 'tts.yaml'), '--output-dir', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
    }
    const files = await Promise.all(runs.map(async (d) => (await readdir(d)).map((f) => join(d, f))));
    const team = JSON.parse(await readFile(files[1]!.find((f) => f.endsWith('.tts.json'))!, 'utf8'));
    expect(Object.keys(team)).toEqual(['metadata', 'configuration', 'results', 'summary']);
    expect(team.metadata).toMatchObject({ benchmark_type: 'tts-baseline', warmup_runs: 1, measurement_runs: 3 });
    expect(Object.keys(team.results)).toEqual(['ultra_short', 'short']);
    expect(team.results.short).toMatchObject({ text_length_words: 13, requests: 3 });
    expect(team.results.short.latency.p95_ms).toBeGreaterThan(0);
    expect(team.summary.overall_rtf).toBeGreaterThan(0);

    const results = files.map((list) => list.find((f) => f.endsWith('.json') && !f.endsWith('.tts.json'))!);
    const cmp = await runCli(['compare', results[0]!, results[1]!]);
    expect(cmp.code, cmp.stderr).toBe(0);
    expect(cmp.stdout).toContain('BENCHMARK COMPARISON: tts-baseline');
    expect(cmp.stdout).toMatch(/Hardware: .+/);
    for (const row of ['Mean Latency', 'P95 Latency', 'RTF', 'TTFC', 'ultra_short', 'short']) expect(cmp.stdout).toContain(row);
    expect(cmp.stdout).toMatch(/TTFC .*✅ PASS/);
    expect(cmp.stdout).toContain('Target Status: 1/2 metrics passing');
  }, 90_000);
});

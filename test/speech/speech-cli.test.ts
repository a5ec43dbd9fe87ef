import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { readResults } from '../../src/results/writer.js';
import { TTS_STANDARD_TEXTS } from '../../src/scenario/standard-texts.js';
import { runCli } from '../helpers/cli.js';

/**
 * The speech run end to end through the CLI: the built-in standard texts (one load point
 * each, the seed's 5 warmup + 20 measured), per-text results in the seed's layout, goodput
 * SLOs, the targets table, server metrics scraped from the reference /metrics, and --gpu
 * with a fake nvidia-smi printing canned CSV (the only fake: CI has no GPU).
 */
let server: ReferenceServer;
let dir: string;
const FAKE_SMI = `#!/usr/bin/env bash
# canned nvidia-smi: answers --query-gpu ... -lms N with one line per GPU per tick until killed
i=0
while true; do
  echo "0, NVIDIA H100 80GB HBM3, $((12000 + (i % 3) * 1000)), 81559, $((40 + (i % 3) * 10))"
  echo "1, NVIDIA H100 80GB HBM3, 500, 81559, 0"
  i=$((i + 1))
  sleep 0.02
done
`;

beforeAll(async () => {
  server = await serve({ seed: 2, ttftMs: 5, ttsMsPerWord: 10, ttsChunkMs: 20, ttsRealTimeFactor: 0.1 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-speech-'));
  await writeFile(join(dir, 'nvidia-smi'), FAKE_SMI);
  await chmod(join(dir, 'nvidia-smi'), 0o755);
  await writeFile(
    join(dir, 'scenario.yaml'),
    [
      'name: tts-standard-check',
      'target: { protocol: openai-speech, response_format: wav }',
      'dataset: { path: tts-standard }',
      'targets:',
      '  - { metric: TTFC, target: "p50(ttfc) < 400ms", stretch: "p50(ttfc) < 300ms" }',
      '  - { metric: RTF, target: "mean(rtf) < 0.5", stretch: "mean(rtf) < 0.001" }',
      '  - { metric: P99 Latency, target: "p99(latency) < 1ms" }',
      '  - { metric: VRAM Usage, target: "vram < 16GB", stretch: "vram < 12GB" }',
    ].join('\n'),
  );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('inferbench run with speech, SLOs, targets, GPU and server metrics', () => {
  it('benchmarks each standard text separately and reports everything', async () => {
    const out = join(dir, 'results.json');
    const r = await runCli(
      [
        'run', join(dir, 'scenario.yaml'),
        '--url', `${server.url}/v1/audio/speech`,
        '--slo', 'ttfc<=400ms', '--slo', 'rtf<=0.0001',
        '--gpu', '20ms',
        '--server-metrics', `${server.url}/metrics`, '--server-metric', 'vllm:request_success_total', '--server-metric', 'vllm:num_requests_running',
        '--out', out,
      ],
      { env: { PATH: `${dir}:${process.env.PATH}` } },
    );
    expect(r.stderr).not.toMatch(/failed|error/i);
    expect(r.code).toBe(0);
    const results = await readResults(out);
    const names = Object.keys(TTS_STANDARD_TEXTS);
    expect(results.points.map((p) => p.text?.name)).toEqual(names);
    expect(results.points.map((p) => p.text?.words)).toEqual([2, 13, 26, 46, 35]);
    for (const p of results.points) {
      expect(p.warmup!.sent).toBe(5);
      expect(p.measure.counts.ok).toBe(20);
      // Goodput: every request meets the ttfc SLO, none the impossible rtf one.
      expect(p.measure.goodput!.slos.map((s) => s.share)).toEqual([1, 0]);
      expect(p.measure.goodput!.metAll).toBe(0);
      // Fake GPU: device 0 cycles 12000/13000/14000 MiB and 40/50/60 %.
      const [gpu0, gpu1] = p.measure.gpu!.devices;
      expect(gpu0!.memoryUsedMiB.max).toBe(14000);
      expect(gpu0!.memoryUsedMiB.mean).toBeGreaterThanOrEqual(12000);
      expect(gpu0!.utilizationPercent.max).toBe(60);
      expect(gpu1!.memoryUsedMiB.max).toBe(500);
      // The server counted exactly the 20 measured requests as successes.
      expect(p.measure.serverMetrics!.counters['vllm:request_success_total']!.delta).toBe(20);
      expect(p.measure.serverMetrics!.gauges['vllm:num_requests_running']!.max).toBeLessThanOrEqual(1);
    }
    // The seed's layout: results.<text_name> with words, audio duration, latency, rtf, vram peak.
    const long = results.perText!.results.long!;
    expect(long.text_length_words).toBe(46);
    expect(long.audio_duration_ms).toBe(460);
    expect(long.latency.p50_ms).toBeGreaterThan(0);
    expect(long.rtf).toBeCloseTo(long.latency.mean_ms / 460, 2);
    expect(long.vram_peak_gb).toBeCloseTo((14000 * 2 ** 20) / 1e9, 2);
    // Targets: TTFC passes its stretch, RTF passes, P99 misses, VRAM passes (14.7 GB) but not its stretch.
    const status = Object.fromEntries(results.targets!.map((t) => [t.metric, t.points.map((p) => p.status)]));
    expect(status.TTFC).toEqual(Array(5).fill('stretch'));
    // RTF is judged on what was measured: the 2-word text's 20 ms of audio can take longer than
    // half its length on a busy machine; the 46-word text (460 ms of audio) passes with room.
    const rtfOf = results.points.map((p) => p.measure.metrics.rtf!.summary.mean);
    expect(status.RTF).toEqual(rtfOf.map((rtf) => (rtf < 0.001 ? 'stretch' : rtf < 0.5 ? 'pass' : 'miss')));
    expect(status.RTF![names.indexOf('long')]).toBe('pass');
    expect(status['P99 Latency']).toEqual(Array(5).fill('miss'));
    expect(status['VRAM Usage']).toEqual(Array(5).fill('pass'));
    expect(r.stdout).toMatch(/P99 Latency\s+p99\(latency\) < 1ms\s+-\s+\d+(\.\d+)? ms MISS/);
    const passing = Object.values(status).flat().filter((x) => x === 'pass' || x === 'stretch').length;
    expect(passing).toBeGreaterThanOrEqual(15 - 1);
    expect(r.stdout).toContain(`target status: ${passing}/20 passing`);
    expect(r.stdout).toMatch(/gpu 0 NVIDIA H100 80GB HBM3: VRAM peak 14\.68 GB/);
    expect(r.stdout).toMatch(/telephony_typical\s+35\s/);
  });

  it('goes on without a GPU, with a clear note, when nvidia-smi is missing', async () => {
    const r = await runCli(['run', '--url', `${server.url}/v1/audio/speech`, '-n', '3', '--gpu', '--no-write'], { env: { PATH: '/usr/bin:/bin' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('requests: 3 sent, 3 ok');
    expect(r.stdout).toContain('warning: iterations: --gpu: nvidia-smi not found on PATH, so no GPU metrics were taken (the run went on)');
  });

  it('reports bad SLOs and monitor settings with the fix', async () => {
    const r = await runCli(['run', '--url', `${server.url}/v1/audio/speech`, '--slo', 'p95(ttfc)<400ms', '--slo', 'ttfc<=fast', '--server-metrics', 'not a url', '--no-write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('without p95(…)');
    expect(r.stderr).toContain('--slo[1]: "ttfc<=fast": expected a number after "<=" at column 7');
    expect(r.stderr).toContain('monitor.server_metrics.url');
  });
});

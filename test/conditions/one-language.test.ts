import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileChecked, compileConditions, type Condition } from '../../src/conditions/condition.js';
import { checkArmConditions } from '../../src/conditions/overhead.js';
import { checkThresholds, scenarioThresholds } from '../../src/conditions/thresholds.js';
import { ConfigError } from '../../src/model/config-error.js';
import type { Results } from '../../src/model/results.js';
import { compareRuns } from '../../src/report/compare.js';
import { judgeProbe } from '../../src/run/capacity-search.js';
import { measureOverhead, overheadArms } from '../../src/run/overhead.js';
import { run } from '../../src/run/runner.js';
import { producibleOf } from '../../src/scenario/check-conditions.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * One language, one verdict: the same expressions fed to every place that takes a condition
 * (scenario thresholds, `run --threshold`, `report --threshold`, targets, `capacity --slo`,
 * `compare --target`, `--slo` where the per-request form means the same, `overhead --threshold`
 * where the metric exists) give the same verdict. Bounds sit far from the measured values, so the
 * verdicts hold on a busy machine and across the separate runs the CLI makes.
 */
type Expect = 'pass' | 'fail';
interface Row {
  expr: string;
  expect: Expect;
  /** The per-request form: every request meeting it ⇔ `max(m) < b`, so goodput's share is 1 exactly when the row passes. */
  slo?: string;
}

const TEXT: Row[] = [
  { expr: 'p999(latency)<10s', expect: 'pass' },
  { expr: 'p95(ttft)<2min', expect: 'pass' },
  { expr: 'error_rate<1%', expect: 'pass' },
  { expr: 'p50(ttft)<1us', expect: 'fail' },
  { expr: 'p50(latency)<1us', expect: 'fail' },
  { expr: 'mean(output_tokens)>=4', expect: 'pass' },
  { expr: 'rate(output_tokens)>1tokens/s', expect: 'pass' },
  { expr: 'throughput>1000000req/s', expect: 'fail' },
  { expr: 'max(latency)<10s', expect: 'pass', slo: 'latency<10s' },
  { expr: 'max(ttft)<1us', expect: 'fail', slo: 'ttft<1us' },
  { expr: 'vram<16GB', expect: 'pass' },
  { expr: 'vram<12GiB', expect: 'fail' },
  { expr: 'p99.9(itl) < 1min and min(ttft) > 0ms', expect: 'pass' },
];
const AUDIO: Row[] = [
  { expr: 'rtf<0.5', expect: 'pass' },
  { expr: 'rtf<0.001', expect: 'fail' },
  { expr: 'p95(ttfc)<2min', expect: 'pass' },
  { expr: 'mean(audio_seconds)>=0.5s', expect: 'pass' },
  { expr: 'audio_realtime>0', expect: 'pass' },
];
const FRAMES: Row[] = [
  { expr: 'fps>20', expect: 'pass' },
  { expr: 'fps>1000000frames/s', expect: 'fail' },
  { expr: 'p95(frame_latency)<2min', expect: 'pass' },
  { expr: 'mean(frames_count)>=2', expect: 'pass' },
];

// A fake nvidia-smi: device 0 peaks at 14000 MiB (14.68 GB, 13.67 GiB).
const FAKE_SMI = `#!/bin/sh
i=0
while true; do
  echo "0, Fake GPU, $((12000 + (i % 3) * 1000)), 81559, 50"
  i=$((i + 1))
  sleep 0.02
done
`;

let server: ServerThread;
let dir: string;
let fakeSmi: string;
beforeAll(async () => {
  server = await startServerThread({ seed: 11, ttftMs: 20, itlMs: 2, outputTokens: 4, ttsMsPerWord: 50, ttsChunkMs: 20, ttsRealTimeFactor: 0.1 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-one-language-'));
  fakeSmi = join(dir, 'nvidia-smi');
  await writeFile(fakeSmi, FAKE_SMI);
  await chmod(fakeSmi, 0o755);
}, 180_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const textTarget = () => ({ protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 4 });
const audioTarget = () => ({ protocol: 'openai-speech', url: `${server.url}/v1/audio/speech`, response_format: 'wav', input: 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty' });
const framesTarget = () => ({ protocol: 'http', url: `${server.url}/echo`, method: 'POST', body: { model: 'det' }, frames: { width: 8, height: 8, format: 'png', path: 'image' }, batch_size: 2 });

/** The run every in-process place judges: thresholds, targets and SLOs set in the scenario, as a user would. */
async function runWith(target: Record<string, unknown>, rows: Row[], file: string): Promise<Results> {
  const { results } = await run({
    name: 'one-language',
    target,
    load: { mode: 'concurrency', concurrency: 2, requests: 12 },
    thresholds: rows.map((r) => r.expr),
    targets: rows.map((r, i) => ({ metric: `row ${i}`, target: r.expr })),
    slo: rows.flatMap((r) => (r.slo ? [r.slo] : [])),
    monitor: { gpu: { interval: '20ms', command: fakeSmi } },
    output: { file },
  } as never);
  return results;
}

type Verdicts = Record<string, Expect | 'not measured'>;

/** Every in-process place's verdict per row: each is what its command does with its conditions. */
function inProcessVerdicts(results: Results, rows: Row[]): Record<string, Verdicts> {
  const phase = results.points[0]!.measure;
  const produces = producibleOf(results.scenario.target);
  const compiled = (scope: 'phase') => compileConditions(rows.map((r, i) => ({ field: `row[${i}]`, text: r.expr })), scope, produces);
  const rowVerdict = (ok: boolean[]) => (ok.every(Boolean) ? 'pass' : 'fail');
  const out: Record<string, Verdicts> = { thresholds: {}, targets: {}, capacity: {}, compare: {} };
  compiled('phase').forEach((conditions, i) => {
    const row = rows[i]!.expr;
    out.thresholds![row] = rowVerdict(checkThresholds(results, scenarioThresholds([row])).map((o) => o.passed));
    const target = results.targets![i]!.points[0]!.status;
    out.targets![row] = target === 'n/a' ? 'not measured' : target === 'miss' ? 'fail' : 'pass';
    out.capacity![row] = judgeProbe(conditions, phase).met ? 'pass' : 'fail';
    const targetRows = compareRuns(results, results, { targets: conditions, iterations: 200 }).points[0]!.rows.filter((r) => r.target);
    out.compare![row] = rowVerdict(targetRows.map((r) => r.target!.after));
  });
  const goodput = phase.goodput?.slos ?? [];
  out.slo = {};
  for (const r of rows.filter((x) => x.slo)) out.slo[r.expr] = goodput.find((g) => g.slo === r.slo)!.share === 1 ? 'pass' : 'fail';
  return out;
}

/** PASS/FAIL lines of the CLI's threshold report, grouped back into rows (a joined row prints a line per condition). */
function cliVerdicts(stdout: string, rows: Row[]): Verdicts {
  const lines = stdout.split('\n').filter((l) => /^(PASS|FAIL) {2}/.test(l));
  const out: Verdicts = {};
  let k = 0;
  for (const r of rows) {
    const n = compileChecked(r.expr, 'phase').length;
    out[r.expr] = lines.slice(k, k + n).every((l) => l.startsWith('PASS')) ? 'pass' : 'fail';
    k += n;
  }
  expect(k).toBe(lines.length);
  return out;
}

const expected = (rows: Row[], only?: (r: Row) => boolean): Verdicts => Object.fromEntries(rows.filter(only ?? (() => true)).map((r) => [r.expr, r.expect]));

describe('one condition language: the same expressions give the same verdicts everywhere', () => {
  it('text (openai stream): scenario thresholds, targets, capacity, compare, --slo, run --threshold, report --threshold, overhead', async () => {
    const file = join(dir, 'text.json');
    const results = await runWith(textTarget(), TEXT, file);
    expect(results.points[0]!.measure.counts.ok).toBe(12);
    const places = inProcessVerdicts(results, TEXT);
    for (const [place, verdicts] of Object.entries(places)) {
      expect(verdicts, place).toEqual(place === 'slo' ? expected(TEXT, (r) => r.slo !== undefined) : expected(TEXT));
    }

    // The CLI: a fresh run with every expression as --threshold, and the report of the run above.
    const thresholdFlags = TEXT.flatMap((r) => ['--threshold', r.expr]);
    const cliRun = await runCli(['run', '--url', textTarget().url, '--model', 'm', '--max-tokens', '4', '-c', '2', '-n', '12', '--gpu', '20ms', '--no-write', '--tokenizer', 'none', ...thresholdFlags], {
      env: { PATH: `${dir}:${process.env.PATH}` },
    });
    expect(cliRun.code, cliRun.stderr).toBe(3); // some rows are meant to fail
    expect(cliVerdicts(cliRun.stdout, TEXT)).toEqual(expected(TEXT));
    const report = await runCli(['report', file, '--format', 'console', ...thresholdFlags]);
    expect(report.code, report.stderr).toBe(3);
    expect(cliVerdicts(report.stdout, TEXT)).toEqual(expected(TEXT));

    // overhead --threshold, where the metric exists (latency of each call): every mode gets the row's verdict.
    const latencyRows = TEXT.filter((r) => compileChecked(r.expr, 'phase').every((c) => c.metric === 'latency'));
    expect(latencyRows.length).toBeGreaterThanOrEqual(3);
    const overhead = await measureOverhead({ module: fileURLToPath(new URL('../local/fixtures/token-model.ts', import.meta.url)), input: { tokens: 4, perTokenMs: 0.05 }, rounds: 5, warmup: 1 });
    const arms = overheadArms(overhead);
    for (const r of latencyRows) {
      const outcomes = checkArmConditions(arms, compileConditions([{ field: 'row', text: r.expr }], 'arm')[0]!);
      expect(outcomes.length, r.expr).toBe(arms.length);
      expect(new Set(outcomes.map((o) => o.status)), r.expr).toEqual(new Set([r.expect]));
    }
  }, 120_000);

  it('audio (openai-speech): rtf, ttfc, audio_seconds, audio_realtime', async () => {
    const results = await runWith(audioTarget(), AUDIO, join(dir, 'audio.json'));
    expect(results.points[0]!.measure.counts.ok).toBe(12);
    for (const [place, verdicts] of Object.entries(inProcessVerdicts(results, AUDIO))) if (place !== 'slo') expect(verdicts, place).toEqual(expected(AUDIO));
  }, 60_000);

  it('frames (http with image frames): fps, frame_latency, frames_count', async () => {
    const results = await runWith(framesTarget(), FRAMES, join(dir, 'frames.json'));
    expect(results.points[0]!.measure.counts.ok).toBe(12);
    for (const [place, verdicts] of Object.entries(inProcessVerdicts(results, FRAMES))) if (place !== 'slo') expect(verdicts, place).toEqual(expected(FRAMES));
  }, 60_000);

  it('a metric another family measures is refused where its run cannot produce it', () => {
    const problems = (target: Record<string, unknown>, text: string) => {
      try {
        compileConditions([{ field: 'x', text }], 'phase', producibleOf(target));
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => p.message);
      }
    };
    expect(problems(textTarget(), 'fps>20')[0]).toMatch(/fps at column 1 is a frames metric; a text run \(protocol openai\) cannot produce it/);
    expect(problems(framesTarget(), 'rtf<0.5')[0]).toMatch(/rtf at column 1 is an audio metric/);
    expect(problems({ protocol: 'http', url: 'http://x' }, 'p95(ttft)<400ms')[0]).toMatch(/ttft at column 5 is a text metric; a unary run/);
    expect(problems({ ...textTarget(), stream: false }, 'p95(ttft)<400ms')[0]).toMatch(/ttft at column 5 needs a streamed answer/);
    for (const row of [...TEXT.filter((r) => !/ttft|itl|output_tokens/.test(r.expr)), ...FRAMES]) expect(problems(framesTarget(), row.expr), row.expr).toEqual([]);
  });
});

describe('a bad condition is a config error (exit 2) before the first request, wherever it is written', () => {
  const bad = 'p95(latncy)<500ms';
  const fix = '"p95(latncy)<500ms": unknown metric "latncy" at column 5; did you mean "latency"?';

  it('run --threshold, run --slo, capacity --slo and a scenario file: the server received no request', async () => {
    await server.clearGroundTruth();
    const url = textTarget().url;
    const runFlag = await runCli(['run', '--url', url, '--model', 'm', '-n', '3', '--no-write', '--threshold', 'p95(latency)<1s', '--threshold', bad, '--slo', 'latncy<1s']);
    expect(runFlag.code).toBe(2);
    expect(runFlag.stderr).toContain(`--threshold[1]: ${fix}`);
    expect(runFlag.stderr).toContain('--slo[0]: "latncy<1s": unknown metric "latncy" at column 1; did you mean "latency"?');

    const capacity = await runCli(['capacity', '--url', url, '--model', 'm', '--slo', bad]);
    expect(capacity.code).toBe(2);
    expect(capacity.stderr).toContain(`--slo[0]: ${fix}`);

    const scenario = join(dir, 'bad.yaml');
    await writeFile(
      scenario,
      [
        `target: { protocol: openai, url: "${url}", model: m }`,
        `thresholds: ["${bad}"]`,
        'slo: ["ttft<=400ms", "p95(ttft)<400ms"]',
        'targets:',
        '  - { metric: A, target: "p95(ttft) < 400ms" }',
        '  - { metric: B, target: "error_rate < 1%", stretch: "error_rate < 5ms" }',
        '  - { metric: C, target: "fps > 20" }',
      ].join('\n'),
    );
    const fromFile = await runCli(['run', scenario, '--no-write']);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`thresholds[0]: ${fix}`);
    expect(fromFile.stderr).toContain('slo[1]: "p95(ttft)<400ms": p95(…) at column 1: an SLO is checked on each request');
    expect(fromFile.stderr).toContain('targets[1].stretch: "error_rate < 5ms": at column 15: unit "ms" (a time) does not fit a ratio');
    expect(fromFile.stderr).toContain('targets[2].target: "fps > 20": fps at column 1 is a frames metric; a text run (protocol openai) cannot produce it');
    expect(fromFile.stderr).toMatch(/\(4 problems\)/);

    expect(await server.groundTruth()).toHaveLength(0);
  }, 60_000);

  it('compare --target and report --threshold when the files are read; overhead --threshold before the first call', async () => {
    const file = join(dir, 'for-compare.json');
    await run({ name: 'c', target: textTarget(), load: { requests: 2 }, output: { file } } as never);
    const compare = await runCli(['compare', file, file, '--target', 'p95(ttft)<1s', '--target', bad, '--target', 'rtf<0.5']);
    expect(compare.code).toBe(2);
    expect(compare.stderr).toContain(`--target[1]: ${fix}`);
    expect(compare.stderr).toContain('--target[2]: "rtf<0.5": rtf at column 1 is an audio metric');
    expect(compare.stdout).toBe('');
    const report = await runCli(['report', file, '--format', 'console', '--threshold', bad]);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain(`--threshold[0]: ${fix}`);

    const tokenModel = fileURLToPath(new URL('../local/fixtures/token-model.ts', import.meta.url));
    const overhead = await runCli(['overhead', '--module', tokenModel, '--threshold', bad, 'overhead(strem)<5%']);
    expect(overhead.code).toBe(2);
    expect(overhead.stderr).toContain('--threshold[0]: "p95(latncy)<500ms": unknown metric "latncy" at column 5; did you mean "latency"?');
    expect(overhead.stdout).toBe('');
    const arm = await runCli(['overhead', '--module', tokenModel, '--threshold', 'overhead(strem)<5%']);
    expect(arm.code).toBe(2);
    expect(arm.stderr).toContain('no mode "strem" is compared; did you mean "stream"?');
  }, 60_000);
});

describe('compiled conditions', () => {
  it('carry their bound in the metric unit, whatever unit was written', () => {
    const c = (text: string): Condition => compileChecked(text, 'phase')[0]!;
    expect(c('p95(ttft)<2min')).toMatchObject({ metric: 'ttft', bound: 120_000, unit: 'ms', aggregation: { kind: 'percentile', p: 95 } });
    expect(c('p999(latency)<10s')).toMatchObject({ bound: 10_000, aggregation: { kind: 'percentile', p: 99.9 } });
    expect(c('p99.9(latency)<250us')).toMatchObject({ bound: 0.25, subject: 'p999(latency)' });
    expect(c('vram<16GB')).toMatchObject({ bound: 16e9, unit: 'bytes' });
    expect(c('vram<16GiB')).toMatchObject({ bound: 16 * 2 ** 30 });
    expect(c('error_rate<1%')).toMatchObject({ bound: 0.01, unit: 'ratio' });
    expect(c('mean(audio_seconds) > 1500ms')).toMatchObject({ bound: 1.5, unit: 's' });
    expect(c('throughput>=10/s')).toMatchObject({ metric: 'request_throughput', subject: 'throughput', bound: 10 });
    expect(c('median(itl)<=5ms')).toMatchObject({ aggregation: { kind: 'percentile', p: 50 }, subject: 'p50(itl)' });
    expect(compileChecked('overhead(stream)<5%', 'arm')[0]).toMatchObject({ metric: 'overhead', arm: 'stream', bound: 0.05 });
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { parseExports } from '../../src/export/exports.js';
import { prometheusMetricName } from '../../src/export/prometheus-series.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { startCli } from '../helpers/cli.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

let prometheus: PrometheusServer;
let server: ReferenceServer;
let dir: string;

beforeAll(async () => {
  [prometheus, server] = await Promise.all([startPrometheus(), serve({ ttft: 'lognormal:60ms:0.3', itl: '8ms', tokens: 'uniform:20:40', errorRate: '10%', seed: 21 })]);
  dir = await mkdtemp(join(tmpdir(), 'inferbench-export-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([prometheus?.close(), server?.close()]);
});

const value = (r: { value?: [number, string] }) => Number(r.value![1]);

describe('--export prometheus-rw and ndjson against a real Prometheus', () => {
  it('sends per-second series while the run goes and the final summaries, equal to the results file', async () => {
    const out = join(dir, 'results.json');
    const ndjson = join(dir, 'live.ndjson');
    const run = startCli([
      'run',
      '--name',
      'rw-test',
      '--url',
      `${server.url}/v1/chat/completions`,
      '--model',
      'm',
      '-c',
      '4',
      '-n',
      '80',
      '--warmup',
      '4',
      '--out',
      out,
      '--export',
      `prometheus-rw=${prometheus.writeUrl}`,
      '--export',
      `ndjson=${ndjson}`,
    ]);
    let exited = false;
    void run.done.then(() => (exited = true));

    // While the run goes, Prometheus already holds its per-second counters.
    let seenDuringRun = false;
    while (!exited) {
      const live = await prometheus.query('inferbench_requests_sent_total{run="rw-test",phase="measure"}');
      if (live.length && !exited) {
        seenDuringRun = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(seenDuringRun, 'a per-second sample reached Prometheus before the run ended').toBe(true);
    expect(done.stderr).not.toContain('writes failed');

    const results = JSON.parse(await readFile(out, 'utf8')) as Results;
    const m = results.points[0]!.measure;
    const point = results.points[0]!.label;
    const sel = `run="rw-test",point="${point}",phase="measure"`;

    // Counters: their last per-second value is the phase's total.
    const sent = await prometheus.query(`max_over_time(inferbench_requests_sent_total{${sel}}[1h])`);
    expect(sent.map(value)).toEqual([m.counts.sent]);
    const byOutcome = await prometheus.query(`max_over_time(inferbench_requests_total{${sel}}[1h])`);
    const outcomes = Object.fromEntries(byOutcome.map((r) => [r.metric.outcome, value(r)]));
    expect(outcomes).toEqual(Object.fromEntries(Object.entries(m.counts.byOutcome).filter(([, n]) => n > 0)));
    expect(outcomes.http_error).toBeGreaterThan(0);
    const tokens = await prometheus.query(`max_over_time(inferbench_output_tokens_total{${sel}}[1h])`);
    expect(m.tokens!.source).toBe('usage');
    expect(tokens.map(value)).toEqual([m.tokens!.totalOutputTokens]);
    // One sample per second of the phase, a second apart (the last, partial one stamped at the run's end).
    const samples = (await prometheus.query(`inferbench_requests_sent_total{${sel}}[1h]`))[0]!.values!;
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < samples.length - 1; i++) expect(samples[i]![0] - samples[i - 1]![0]).toBe(1);
    expect(samples.at(-1)![0] - samples.at(-2)![0]).toBeLessThanOrEqual(1);
    const p99 = await prometheus.query(`inferbench_ttft_seconds{${sel},quantile="0.99"}[1h]`);
    expect(p99[0]!.values!.length).toBeGreaterThan(0);
    // The warmup is exported too, under its own phase label.
    expect((await prometheus.query('inferbench_requests_sent_total{run="rw-test",phase="warmup"}')).length).toBe(1);

    // Final summaries: exactly the results' numbers, in base units.
    for (const metric of ['latency', 'ttft', 'itl', 'output_tokens']) {
      const { name, factor } = prometheusMetricName(metric);
      const summary = m.metrics[metric]!.summary;
      const q = await prometheus.query(`inferbench_phase_${name}{${sel}}`);
      const byQuantile = Object.fromEntries(q.map((r) => [r.metric.quantile, value(r)]));
      expect(byQuantile['0.5'], metric).toBeCloseTo(summary.p50 * factor, 12);
      expect(byQuantile['0.99'], metric).toBeCloseTo(summary.p99 * factor, 12);
      const count = await prometheus.query(`inferbench_phase_${name}_count{${sel}}`);
      expect(count.map(value)).toEqual([summary.count]);
    }
    expect((await prometheus.query(`inferbench_phase_throughput_requests_per_second{${sel}}`)).map(value)[0]).toBeCloseTo(m.throughput.requestsPerSecond, 9);
    expect((await prometheus.query(`inferbench_phase_error_ratio{${sel}}`)).map(value)[0]).toBeCloseTo(m.counts.failed / m.counts.sent, 12);

    // The ndjson stream holds the same seconds and the summary.
    const lines = (await readFile(ndjson, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const seconds = lines.filter((l) => l.type === 'second' && l.phase === 'measure');
    expect(seconds.reduce((n, s) => n + s.ok, 0)).toBe(m.counts.ok);
    expect(seconds.reduce((n, s) => n + s.failed, 0)).toBe(m.counts.failed);
    expect(seconds.reduce((n, s) => n + s.sent, 0)).toBe(m.counts.sent);
    expect(seconds.at(-1).totals.ok).toBe(m.counts.ok);
    const summary = lines.find((l) => l.type === 'summary');
    expect(summary).toMatchObject({ run: 'rw-test', point, counts: m.counts });
    expect(summary.metrics.ttft.p50).toBe(m.metrics.ttft!.summary.p50);
  }, 90_000);

  it('reports an unreachable receiver with its URL and cause, and the run still succeeds', async () => {
    const run = startCli(['run', '--url', `${server.url}/v1/chat/completions`, '--model', 'm', '-c', '2', '-n', '6', '--no-write', '--tokenizer', 'none', '--export', 'prometheus-rw=http://user:hunter2@127.0.0.1:9/api/v1/write']);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/warning: export prometheus-rw http:\/\/127\.0\.0\.1:9\/api\/v1\/write: \d+ of \d+ writes failed \(last: ECONNREFUSED\)/);
    expect(done.stderr).not.toContain('hunter2');
  }, 60_000);
});

describe('--export values', () => {
  it('names what is wrong with each, all at once', () => {
    const { specs, problems } = parseExports(['prometheus-rw=localhost:9090', 'ndjson=', 'influx=http://x', 'ndjson=-', 'ndjson=-', 'prometheus-rw=http://127.0.0.1:9090/api/v1/write']);
    expect(specs.map((s) => s.kind)).toEqual(['ndjson', 'ndjson', 'prometheus-rw']);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("prometheus-rw needs the receiver's URL"),
      expect.stringContaining('ndjson needs a file or - for standard output'),
      expect.stringContaining('unknown export "influx"'),
      'ndjson=- can be given once',
    ]);
  });

  it('follows Prometheus naming: base units as suffixes, one copy of a unit already in the name', () => {
    expect(prometheusMetricName('ttft')).toEqual({ name: 'ttft_seconds', factor: 0.001 });
    expect(prometheusMetricName('stall_ms')).toEqual({ name: 'stall_seconds', factor: 0.001 });
    expect(prometheusMetricName('audio_seconds')).toEqual({ name: 'audio_seconds', factor: 1 });
    expect(prometheusMetricName('heap_peak_bytes')).toEqual({ name: 'heap_peak_bytes', factor: 1 });
    expect(prometheusMetricName('output_tokens')).toEqual({ name: 'output_tokens', factor: 1 });
    expect(prometheusMetricName('decode_speed')).toEqual({ name: 'decode_speed_tokens_per_second', factor: 1 });
    expect(prometheusMetricName('rtf')).toEqual({ name: 'rtf_ratio', factor: 1 });
    expect(prometheusMetricName('frames_count')).toEqual({ name: 'frames_per_request', factor: 1 });
  });
});

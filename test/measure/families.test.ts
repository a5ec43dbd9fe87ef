import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS, metricsOfFamily, type MetricDefinition } from '../../src/model/metrics.js';
import type { Results } from '../../src/model/results.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { run } from '../../src/run/runner.js';
import { serve, serveGrpc, type ReferenceGrpcServer } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

/**
 * Each run reports only the metrics of its protocol's family (issue 10): a TTS run has no
 * token metric anywhere, a frames run reports FPS, a plain HTTP run has nothing stream-shaped
 * or token-shaped, and a text stream keeps every text metric.
 */
const TEXT_ONLY = Object.entries(METRICS as Record<string, MetricDefinition>)
  .filter(([, d]) => d.families?.length === 1 && d.families[0] === 'text')
  .map(([name]) => name);
const STREAM_ONLY = Object.entries(METRICS as Record<string, MetricDefinition>)
  .filter(([, d]) => d.streamOnly)
  .map(([name]) => name);

/** The page without the inlined chart library, whose source mentions all sorts of words. */
function pageText(html: string): string {
  return html.replace(/<script>[\s\S]*?<\/script>/g, '');
}

let server: ReferenceServer;
let dir: string;
beforeAll(async () => {
  server = await serve({ seed: 11, ttftMs: 5, itlMs: 1, outputTokens: 8, ttsMsPerWord: 20, ttsChunkMs: 20 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-families-'));
});
afterAll(() => server.close());

describe('audio: the reference server speech route', () => {
  it('has no token metric in the results, the console or the HTML report, and no "no model output" line', async () => {
    const out = join(dir, 'speech.json');
    const r = await runCli(['run', '--url', `${server.url}/v1/audio/speech`, '--input', 'one two three four', '-n', '20', '-c', '2', '--out', out, '--report', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(await readFile(out, 'utf8')) as Results;
    const m = results.points[0]!.measure;
    expect(m).toMatchObject({ family: 'audio', streamed: true });
    for (const name of TEXT_ONLY) expect(m.metrics[name], name).toBeUndefined();
    expect(m.tokens).toBeUndefined();
    expect(m.throughput.outputTokensPerSecond).toBeUndefined();
    expect(m.series.outputTokens).toBeUndefined();
    expect(m.series.audioSeconds!.reduce((a, b) => a + b, 0)).toBeCloseTo(m.audio!.totalSeconds, 6);
    for (const name of ['ttfc', 'audio_seconds', 'rtf', 'stream_rtf']) expect(m.metrics[name]!.summary.count, name).toBe(20);

    const console = r.stdout + r.stderr;
    expect(console).not.toMatch(/tok\/s|output tokens|no model output|\bttft\b|\btpot\b|decode_speed/);
    expect(console).toMatch(/ttfc/);
    expect(console).toMatch(/audio s\/s/);

    const html = pageText(await readFile(out.replace(/\.json$/, '.html'), 'utf8'));
    expect(html).not.toMatch(/tok\/s|tokens-over-time|outputTokensPerSecond|>ttft|output_tokens|decode_speed/);
    expect(html).toContain('data-card="metrics.ttfc.summary.p50"');
    expect(html).toContain('audio-over-time');
  });
});

describe('frames: the gRPC detector over a frames stream', () => {
  let grpc: ReferenceGrpcServer;
  beforeAll(async () => {
    grpc = await serveGrpc({ port: 0, seed: 3, detectMs: 2 });
  });
  afterAll(() => grpc.close());

  it('prints and stores fps, and the HTML report has an FPS card and a frames-per-second chart', async () => {
    const out = join(dir, 'frames.json');
    const r = await runCli([
      'run',
      '--url',
      grpc.url,
      '--proto',
      'detector',
      '--method',
      'inferbench.detector.Detector/DetectStream',
      '--mode',
      'frames',
      '--frames',
      '64x64:jpeg',
      '-c',
      '2',
      '-n',
      '40',
      '--out',
      out,
      '--report',
      'html',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(await readFile(out, 'utf8')) as Results;
    const m = results.points[0]!.measure;
    expect(m).toMatchObject({ family: 'frames', streamed: true });
    expect(m.throughput.framesPerSecond).toBeGreaterThan(0);
    // One frame per request here: frames per second equals requests per second.
    expect(m.throughput.framesPerSecond).toBeCloseTo(m.throughput.requestsPerSecond, 6);
    expect(m.series.frames!.reduce((a, b) => a + b, 0)).toBe(40);
    for (const name of TEXT_ONLY) expect(m.metrics[name], name).toBeUndefined();
    expect(r.stdout).toMatch(/\d+(\.\d+)? FPS/);
    expect(r.stdout + r.stderr).not.toMatch(/tok\/s|no model output/);
    const html = pageText(await readFile(out.replace(/\.json$/, '.html'), 'utf8'));
    expect(html).toContain('data-card="throughput.framesPerSecond"');
    expect(html).toContain('frames-over-time');
    expect(html).toContain('data-card="metrics.frame_latency.summary.p50"');
  });
});

describe('unary: a plain HTTP endpoint', () => {
  it('has no stream or token metric', async () => {
    const { results } = await run({ target: { protocol: 'http', url: `${server.url}/echo`, method: 'GET' }, load: { concurrency: 2, requests: 20 }, output: { write: false } });
    const m = results.points[0]!.measure;
    expect(m).toMatchObject({ family: 'unary', streamed: false });
    // connect: the two connections this closed loop opened (METRICS.md: part of every family's latency).
    expect(Object.keys(m.metrics).sort()).toEqual(['connect', 'latency', 'service_time', 'ttfb']);
    expect(m.metrics.connect!.summary.count).toBeGreaterThanOrEqual(2);
    expect(m.metrics.connect!.summary.count).toBeLessThan(20);
    for (const name of [...TEXT_ONLY, ...STREAM_ONLY]) expect(m.metrics[name], name).toBeUndefined();
    expect(m.tokens).toBeUndefined();
    expect(m.throughput).toEqual({ requestsPerSecond: m.throughput.requestsPerSecond });
    const html = pageText(renderHtmlReport([{ label: 'echo', results }]));
    expect(html).not.toMatch(/tok\/s|ttft|output_tokens/);
  });
});

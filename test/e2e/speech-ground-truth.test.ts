import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';
import type { Timeline } from '../../src/model/timeline.js';
import type { ReferenceServerOptions } from '../../src/server/index.js';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { median, medianError } from '../helpers/stats.js';
import { expectWithinBound } from '../helpers/lateness.js';

/**
 * Speech metrics against the reference server's ground truth (issue 6): `audio_seconds`
 * exact, `ttfc` within 2 ms and `rtf` within 1% (medians), for WAV with placeholder sizes
 * and a LIST chunk, and for PCM whose chunks end mid-sample; stalls detected when the
 * server is slower than real time and not otherwise. The server runs on its own thread.
 */
const RATE = 24_000;
const TEXT = 'one two three four five six';
const base: Partial<ReferenceServerOptions> = { seed: 5, ttftMs: 'lognormal:60ms:0.2', ttsMsPerWord: 80, ttsChunkMs: 40, ttsSampleRate: RATE };

async function measure(server: ServerThread, target: Record<string, unknown>, requests = 32, concurrency = 4) {
  const timelines: Timeline[] = [];
  await server.lateness(); // starts the server thread's span
  const { results } = await run(
    {
      target: { protocol: 'openai-speech', url: `${server.url}/v1/audio/speech`, input: TEXT, ...target },
      load: { concurrency, requests },
      phases: { warmup: { requests: concurrency } },
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
  );
  const serverLateness = await server.lateness();
  const truth = new Map((await server.groundTruth()).map((g) => [g.id, g]));
  return { results, pairs: timelines.map((t) => ({ t, g: truth.get(t.serverRequestId!)! })), serverLateness };
}

function truthOf(g: GroundTruthRecord) {
  const audio = g.events.filter((e) => e.kind === 'content' && e.tokens > 0);
  const samples = audio.reduce((a, e) => a + e.tokens, 0);
  const seconds = samples / RATE;
  return { seconds, ttfc: audio[0]!.atMs - g.receivedMs, rtf: (g.endMs! - g.receivedMs) / (seconds * 1000) };
}

describe.each([
  { label: 'WAV with placeholder sizes and a LIST chunk', split: false, target: { response_format: 'wav' } },
  { label: 'PCM with chunks split mid-sample', split: true, target: { response_format: 'pcm' } },
  { label: 'SSE speech.audio.delta, PCM split mid-sample', split: true, target: { response_format: 'pcm', stream_format: 'sse' } },
])('$label', ({ split, target }) => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ ...base, ttsRealTimeFactor: 0.5, ttsSplitSamples: split });
  });
  afterAll(() => server.close());

  it('audio_seconds exact, ttfc within 2 ms, rtf within 1% of ground truth; no stalls faster than real time', async () => {
    const { results, pairs, serverLateness } = await measure(server, target);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(32);
    const ours = { ttfc: [] as number[], rtf: [] as number[] };
    const truth = { ttfc: [] as number[], rtf: [] as number[] };
    for (const { t, g } of pairs) {
      const tr = truthOf(g);
      expect(t.extra.audio_seconds).toBe(tr.seconds);
      expect(t.extra.stall_count).toBe(0);
      ours.ttfc.push(t.extra.ttfc!);
      ours.rtf.push(t.extra.rtf!);
      truth.ttfc.push(tr.ttfc);
      truth.rtf.push(tr.rtf);
    }
    expectWithinBound(medianError(ours.ttfc, truth.ttfc), 2, m, 'ttfc', 'stamps', serverLateness);
    // Per request, as for ttfc: the median of our rtf over the true rtf of the same request.
    expect(Math.abs(median(ours.rtf.map((r, i) => r / truth.rtf[i]!)) - 1)).toBeLessThan(0.01);
    // ttfc is the first chunk with audio, never the WAV header or the response headers.
    expect(m.metrics.ttfc!.summary.p50).toBeGreaterThan(m.metrics.ttfb!.summary.p50 + 30);
    expect(m.metrics.audio_seconds!.unit).toBe('s');
    expect(m.audio!.totalSeconds).toBeCloseTo(32 * pairs[0]!.t.extra.audio_seconds!, 9);
    expect(m.audio!.stalledRequests).toBe(0);
    // Four streams at rtf ~0.5: about 4 / 0.55 seconds of audio per wall second.
    expect(m.audio!.audioSecondsPerSecond).toBeGreaterThan(4);
  });
});

describe('slower than real time', () => {
  it('detects a stall on every request when the server generates at 1.5× real time', async () => {
    const server = await startServerThread({ ...base, ttsRealTimeFactor: 1.5 });
    try {
      const { results, pairs } = await measure(server, { response_format: 'pcm' }, 6, 2);
      for (const { t } of pairs) {
        expect(t.extra.stall_count).toBeGreaterThan(0);
        expect(t.extra.stall_ms).toBeGreaterThan(0);
        expect(t.extra.stream_rtf).toBeGreaterThan(1);
      }
      expect(results.points[0]!.measure.audio!.stalledRequests).toBe(6);
    } finally {
      await server.close();
    }
  });
});

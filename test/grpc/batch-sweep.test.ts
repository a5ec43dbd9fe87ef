import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Timeline } from '../../src/model/timeline.js';
import { formatSweepComparison, pointThroughput } from '../../src/report/comparison.js';
import { run } from '../../src/run/runner.js';
import { startGrpcServerThread, type GrpcServerThread } from '../helpers/grpc-server-thread.js';
import { expectWithinBound } from '../helpers/lateness.js';

/**
 * A batch-size sweep (1/2/4/8) against the batching detector: a batch costs 20 ms + 2 ms per
 * frame, so throughput should rise with the batch while the first frame of each batch waits
 * for the camera (2 ms between frames) to fill it.
 */
const INTERVAL_MS = 2;
const REQUESTS = 25;
let server: GrpcServerThread;
beforeAll(async () => {
  server = await startGrpcServerThread({ seed: 9, detectMs: 20, perFrameMs: 2 });
});
afterAll(() => server?.close());

it('FPS rises with batch size, each point within 2 % of the server truth, first-frame wait = (B − 1) × frame interval', async () => {
  const measured: Timeline[] = [];
  const { results } = await run(
    {
      target: {
        protocol: 'grpc',
        url: server.url,
        proto: 'detector',
        method: 'inferbench.detector.Detector/Detect',
        frames: { width: 32, height: 32, format: 'png', count: 8, path: 'frames', item: { id: '{{frame_id}}', image: '{{frame}}' }, interval: `${INTERVAL_MS}ms` },
      },
      load: { requests: REQUESTS },
      phases: { warmup: { requests: 3 } },
      sweep: { batch_size: [1, 2, 4, 8] },
      output: { write: false },
    },
    { onRequest: (t, phase) => phase === 'measure' && measured.push(t) },
  );
  const truth = new Map((await server.groundTruth()).map((g) => [g.id, g]));
  expect(results.points.map((p) => p.label)).toEqual(['batch_size=1', 'batch_size=2', 'batch_size=4', 'batch_size=8']);
  const fps = results.points.map((p) => pointThroughput(p).value);
  results.points.forEach((p, i) => {
    const b = [1, 2, 4, 8][i]!;
    const m = p.measure;
    expect(m.counts.ok).toBe(REQUESTS);
    expect(m.metrics.frames_count!.summary.mean).toBe(b);
    // Server truth: frames answered over first receipt → last answer of this point.
    const records = measured.slice(i * REQUESTS, (i + 1) * REQUESTS).map((t) => truth.get(t.serverRequestId!)!);
    const frames = records.reduce((n, g) => n + g.events[0]!.tokens, 0);
    const trueFps = (frames * 1000) / (Math.max(...records.map((g) => g.endMs!)) - Math.min(...records.map((g) => g.receivedMs)));
    expect(Math.abs(fps[i]! - trueFps) / trueFps).toBeLessThan(0.02);
    expectWithinBound(m.metrics.first_frame_wait!.summary.mean - (b - 1) * INTERVAL_MS, 2, m, `first_frame_wait at batch ${b}`);
    expect(m.metrics.batch_latency!.summary.p50).toBeGreaterThanOrEqual(20 + 2 * b);
  });
  for (let i = 1; i < fps.length; i++) expect(fps[i]!).toBeGreaterThan(fps[i - 1]!);
  // Model: 1 frame per (22 ms + overhead) vs 8 per (14 ms fill + 36 ms + overhead) → about 3.5×.
  expect(fps[3]! / fps[0]!).toBeGreaterThan(3);
  const table = formatSweepComparison(results).join('\n');
  expect(table).toMatch(/batch_size=8 .* \d+\.\d\dx/);
  expect(table).toContain('first-frame wait');
});

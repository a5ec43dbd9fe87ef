import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median, medianError } from '../helpers/stats.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';
import { expectStreamMatchesTruth, FAST_STREAM, measureAgainstTruth, TOLERANCE_MS, truthContent } from './truth.js';
import { expectWithinBound } from '../helpers/lateness.js';

const DATA = ['You are a helpful assistant.', 'Explain the difference between JVM and JDK.', 512, 0.1, 0.1];

describe.each([
  { version: 5 as const, mode: 'simple' as const },
  { version: 4 as const, mode: 'simple' as const },
  { version: 5 as const, mode: 'queue' as const },
  { version: 4 as const, mode: 'queue' as const },
])('Gradio v$version, $mode mode, against ground truth', ({ version, mode }) => {
  let server: ServerThread;
  beforeAll(async () => {
    server = await startServerThread({ seed: 5, gradioVersion: version, ...FAST_STREAM });
  });
  afterAll(() => server.close());

  it('measures submit, first_event, ttft, itl, stream_time and latency within 2 ms of truth, with the generated text', async () => {
    const { results, pairs, serverLateness } = await measureAgainstTruth({ protocol: 'gradio', url: server.url, api: '/predict', data: DATA, mode }, server, { concurrency: 2, requests: 20 });
    expect(pairs.length).toBe(20);
    expectStreamMatchesTruth(pairs, results.points[0]!.measure, { server: serverLateness });
    const ours = { submit: [] as number[], firstEvent: [] as number[], streamTime: [] as number[] };
    const truth = { submit: [] as number[], firstEvent: [] as number[], streamTime: [] as number[] };
    for (const { t, truth: g } of pairs) {
      const submitted = g.events.find((e) => e.kind === 'submitted')!;
      const firstEvent = g.events.find((e) => e.kind !== 'submitted' && e.kind !== 'heartbeat')!;
      const content = truthContent(g);
      ours.submit.push(t.extra.submit!);
      truth.submit.push(submitted.atMs - g.receivedMs);
      ours.firstEvent.push(t.firstEventMs! - t.sentMs);
      truth.firstEvent.push(firstEvent.atMs - g.receivedMs);
      ours.streamTime.push(t.content.at(-1)!.atMs - t.firstEventMs!);
      truth.streamTime.push(content.at(-1)!.atMs - firstEvent.atMs);
      expect(t.submittedMs! - t.sentMs).toBeCloseTo(t.extra.submit!, 6);
    }
    for (const key of ['submit', 'firstEvent', 'streamTime'] as const) {
      expectWithinBound(medianError(ours[key], truth[key]), TOLERANCE_MS, results.points[0]!.measure, key, 'stamps', serverLateness);
    }
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(20);
    for (const name of ['submit', 'first_event', 'stream_time', 'latency', 'ttft', 'itl', 'chars_per_s']) expect(m.metrics[name], name).toBeDefined();
    expect(m.metrics.chars_per_s!.unit).toBe('chars/s');
    if (mode === 'queue') {
      expect(m.metrics.queue_time).toBeDefined();
      expect(m.metrics.queue_rank_count!.unit).toBe('count');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { TimelineBuilder } from '../../src/model/timeline.js';
import type { ClientHealthSample } from '../../src/monitor/client-health.js';
import { Recorder } from '../../src/measure/recorder.js';
import { MetricHistogram } from '../../src/stats/histogram.js';
import { judgePhaseHealth } from '../../src/monitor/client-health.js';
import { makeTimelines } from './timelines.js';

const summaryOf = (b64: string | null) => (b64 === null ? null : MetricHistogram.decode(b64, 1000).summary());

const calm: ClientHealthSample = { eventLoopDelayMs: { mean: 1, p99: 2, max: 3 }, cpuPercent: 10, threadBusyShare: 0.1 };

describe('Recorder', () => {
  it('counts outcomes, statuses, errors, tokens and per-second series', () => {
    const r = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 1000, openLoop: false });
    const ok = (sent: number, end: number, tokens: number) => {
      const b = new TimelineBuilder(0);
      b.sent(sent);
      b.headers(200, sent + 1);
      for (let i = 0; i < tokens; i++) b.text('x', 1, sent + 2 + i);
      return b.finish('ok', undefined, end);
    };
    const failed = new TimelineBuilder(3);
    failed.sent(1500);
    failed.headers(503, 1510);
    for (const at of [1000, 1200, 1500, 2100]) r.noteSent(at);
    r.noteInFlight(2, 1200);
    r.noteInFlight(3, 1500);
    r.noteDropped();
    r.record(ok(1000, 1100, 3));
    r.record(ok(1200, 1900, 5));
    r.record(failed.finish('http_error', 'HTTP 503', 1520));
    r.record(ok(2100, 3000, 2));
    const p = r.toPhaseResult(calm);

    expect(p.counts).toMatchObject({ sent: 4, completed: 4, ok: 3, failed: 1, dropped: 1, byStatus: { '200': 3, '503': 1 } });
    expect(p.counts.byOutcome).toEqual({ ok: 3, http_error: 1, protocol_error: 0, timeout: 0, connection_error: 0, aborted: 0 });
    expect(p.counts.errors).toEqual([{ message: 'HTTP 503', count: 1 }]);
    expect(p.durationMs).toBe(2000);
    expect(p.firstStartOffsetMs).toBe(0);
    expect(p.throughput.requestsPerSecond).toBe(1.5);
    expect(p.throughput.outputTokensPerSecond).toBe(5);
    expect(p.throughput.peakOutputTokensPerSecond).toBe(8);
    expect(p.concurrency).toEqual({ mean: (100 + 700 + 20 + 900) / 2000, max: 3 });
    expect(p.tokens).toEqual({ source: 'events', totalOutputTokens: 10, eventsTotal: 10 });
    expect(p.series.sent).toEqual([3, 1, 0]);
    expect(p.series.ok).toEqual([2, 0, 1]);
    expect(p.series.errors).toEqual([1, 0, 0]);
    // Tokens are placed by arrival: the last request's two tokens came in second 1, though it ended in second 2.
    expect(p.series.outputTokens).toEqual([8, 2, 0]);
    expect(p.series.inFlightMax).toEqual([3, 0, 0]);
    expect(p.series.latencyP50[1]).toBeNull();
    expect(p.series.latencyP99[2]).toBeCloseTo(900, -1);
    expect(p.metrics.latency!.summary.count).toBe(3);
    expect(p.metrics.error_latency!.summary.count).toBe(1);
    expect(p.metrics.itl!.summary.count).toBe(2 + 4 + 1);
    expect(p.metrics.latency!.unit).toBe('ms');
    expect(p.metrics.output_tokens).toMatchObject({ unit: 'tokens', scale: 1 });
  });

  it('measures open-loop latency from the intended start and flags late sends', () => {
    const r = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 0, openLoop: true });
    for (let i = 0; i < 10; i++) {
      const b = new TimelineBuilder(i, i * 100);
      b.sent(i * 100 + (i < 2 ? 30 : 0.2)); // two of ten left 30 ms late
      r.record(b.finish('ok', undefined, i * 100 + 50));
    }
    const p = r.toPhaseResult({ ...calm, threadBusyShare: 0.6 }); // a busy thread: the lateness is its own
    expect(r.lateSendShare).toBe(0.2);
    // The recorder keeps the figures; the one verdict is judged on them afterwards.
    expect(p.clientHealth).toMatchObject({ lateSendShare: 0.2, lateSendThresholdMs: 1, clientBound: false });
    expect(judgePhaseHealth(p, { threads: 1, openLoop: true })).toEqual([expect.stringMatching(/^client-bound: 20% of requests left more than 1\.0 ms/)]);
    expect(p.clientHealth).toMatchObject({ clientBound: true, causes: ['late-sends'] });
    expect(p.metrics.latency!.summary.max).toBeCloseTo(50, 1);
    expect(p.metrics.service_time!.summary.min).toBeCloseTo(20, 1);
    expect(p.metrics.queue_delay!.summary.count).toBe(10);
  });

  it('reports usage and tokenizer totals side by side and calls mixed sources mixed', () => {
    const r = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 0, openLoop: false, tokenizer: (t) => t.length });
    const b1 = new TimelineBuilder(0);
    b1.sent(0);
    b1.text('abcd', 1, 1);
    b1.t.usageTokens = 3;
    r.record(b1.finish('ok', undefined, 2));
    const b2 = new TimelineBuilder(1);
    b2.sent(0);
    b2.text('abcdef', 1, 1);
    r.record(b2.finish('ok', undefined, 2));
    expect(r.toPhaseResult(calm).tokens).toEqual({ source: 'mixed', totalOutputTokens: 9, usageTotal: 3, tokenizerTotal: 10, tokenizerCapChars: 65_536, tokenizerEstimatedAnswers: 0, eventsTotal: 2 });
  });

  it('gives short phases 100 ms series, which merge exactly in their counts', () => {
    const phaseStartMs = 10;
    const timelines = makeTimelines(120, phaseStartMs); // 3 s of arrivals
    const family = { family: 'text', streamed: true } as const;
    const one = new Recorder({ family, phaseStartMs, openLoop: true });
    const parts = [0, 1].map(() => new Recorder({ family, phaseStartMs, openLoop: true }));
    timelines.forEach((t, i) => {
      for (const r of [one, parts[i % 2]!]) {
        r.noteSent(t.sentMs);
        r.record(t);
      }
    });
    const single = one.toPhaseResult(calm);
    const fine = single.subSecond!;
    expect(fine.bucketMs).toBe(100);
    expect(fine.sent.reduce((a, b) => a + b, 0)).toBe(120);
    expect(fine.ok.reduce((a, b) => a + b, 0)).toBe(single.counts.ok);
    expect(fine.errors.reduce((a, b) => a + b, 0)).toBe(single.counts.failed);
    expect(fine.outputTokens!.reduce((a, b) => a + b, 0)).toBe(single.tokens!.totalOutputTokens);
    // Four requests leave in each 100 ms bucket (every 25 ms).
    expect(fine.sent.slice(1, 20)).toEqual(new Array(19).fill(4));
    const okLatencies = timelines.filter((t) => t.outcome === 'ok' && Math.floor((t.endMs - phaseStartMs) / 100) === 10).map((t) => t.endMs - t.scheduledMs!).sort((a, b) => a - b);
    expect(fine.latencyP50![10]).toBe(okLatencies[Math.ceil(okLatencies.length / 2) - 1]);
    const merged = Recorder.merge(parts.map((p) => p.toPhaseResult(calm)));
    expect({ ...merged.subSecond, latencyP50: undefined, latencyP99: undefined }).toEqual({ ...fine, latencyP50: undefined, latencyP99: undefined });
    // Per-bucket percentiles of parts do not combine: a merged series has counts only.
    expect(merged.subSecond!.latencyP50).toBeUndefined();
  });

  it('merges phases recorded apart into exactly what one recorder records', () => {
    const phaseStartMs = 50;
    const timelines = makeTimelines(3000, phaseStartMs); // 75 s of arrivals
    const one = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs, openLoop: true });
    const parts = [0, 1, 2].map(() => new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs, openLoop: true }));
    timelines.forEach((t, i) => {
      one.noteSent(t.sentMs);
      one.record(t);
      parts[i % 3]!.noteSent(t.sentMs);
      parts[i % 3]!.record(t);
    });
    const single = one.toPhaseResult(calm);
    const merged = Recorder.merge(parts.map((p) => p.toPhaseResult(calm)));

    expect(Object.keys(merged.metrics)).toEqual(Object.keys(single.metrics));
    for (const name of Object.keys(single.metrics)) {
      const m = merged.metrics[name]!;
      const s = single.metrics[name]!;
      expect(m.summary, name).toEqual(s.summary);
      const hm = MetricHistogram.decode(m.histogram, m.scale);
      const hs = MetricHistogram.decode(s.histogram, s.scale);
      for (let p = 0; p <= 100; p += 1) expect(hm.percentile(p), `${name} p${p}`).toBe(hs.percentile(p));
    }
    expect(merged.counts).toEqual(single.counts);
    // Encodings may lay the same counts out differently; compare what they hold.
    const { latencyHistograms: mergedPerSecond, ttftHistograms: mergedTtft, itlHistograms: mergedItl, ...mergedSeries } = merged.series;
    const { latencyHistograms: singlePerSecond, ttftHistograms: singleTtft, itlHistograms: singleItl, ...singleSeries } = single.series;
    expect(mergedSeries).toEqual(singleSeries);
    expect(mergedPerSecond.map(summaryOf)).toEqual(singlePerSecond.map(summaryOf));
    expect(singleTtft?.some((h) => h !== null)).toBe(true);
    expect(mergedTtft!.map(summaryOf)).toEqual(singleTtft!.map(summaryOf));
    expect(mergedItl!.map(summaryOf)).toEqual(singleItl!.map(summaryOf));
    expect(merged.tokens).toEqual(single.tokens);
    expect(merged.durationMs).toBe(single.durationMs);
    expect(merged.firstStartOffsetMs).toBe(single.firstStartOffsetMs);
    expect(merged.startedAtEpochMs).toBe(single.startedAtEpochMs);
    expect(merged.throughput.requestsPerSecond).toBeCloseTo(single.throughput.requestsPerSecond, 9);
    expect(merged.throughput.outputTokensPerSecond!).toBeCloseTo(single.throughput.outputTokensPerSecond!, 9);
    expect(merged.throughput.peakOutputTokensPerSecond).toBe(single.throughput.peakOutputTokensPerSecond);
    expect(merged.concurrency.mean).toBeCloseTo(single.concurrency.mean, 9);
    expect(merged.clientHealth).toEqual(single.clientHealth);
    expect(single.series.sent.length).toBe(76);
    expect(single.counts.errors.map((e) => e.message)).toEqual(['HTTP 500: overloaded', 'HTTP 500: internal']);
    // The kept calls: the slowest of all parts and the earliest failures, as one recorder keeps them.
    expect(merged.calls).toEqual(single.calls);
    expect(single.calls!.slowest).toHaveLength(10);
    expect(single.calls!.failedCount).toBe(single.counts.failed);
    expect(single.calls!.failed.map((c) => c.index)).toEqual([0, 13, 26, 39, 52, 65, 78, 91, 104, 117]);
    // 75 s is long: no sub-second series.
    expect(single.subSecond).toBeUndefined();

    // Merging merges is still exact (worker threads, then machines).
    const twice = Recorder.merge([Recorder.merge([parts[0]!.toPhaseResult(calm), parts[1]!.toPhaseResult(calm)]), parts[2]!.toPhaseResult(calm)]);
    for (const name of Object.keys(merged.metrics)) expect(twice.metrics[name]!.summary).toEqual(merged.metrics[name]!.summary);
    expect(twice.series.latencyP99).toEqual(merged.series.latencyP99);
    expect(twice.series.latencyHistograms.map(summaryOf)).toEqual(mergedPerSecond.map(summaryOf));
  });

  it('keeps memory flat: per-second histograms of past seconds are stored encoded', () => {
    const r = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 0, openLoop: false });
    for (let i = 0; i < 20_000; i++) {
      const b = new TimelineBuilder(i);
      b.sent(i * 50);
      r.record(b.finish('ok', undefined, i * 50 + 10 + (i % 7)));
    }
    const before = process.memoryUsage().heapUsed;
    const p = r.toPhaseResult(calm);
    expect(p.series.latencyHistograms).toHaveLength(1000);
    expect(p.series.latencyHistograms.every((h) => typeof h === 'string')).toBe(true);
    expect(p.series.latencyP50[500]).toBeCloseTo(13, 0);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
  });
});

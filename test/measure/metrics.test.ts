import { describe, expect, it } from 'vitest';
import { countOutputTokens, deriveMetrics } from '../../src/measure/metrics.js';
import { METRICS, metricUnit } from '../../src/model/metrics.js';
import { TimelineBuilder } from '../../src/model/timeline.js';

/** A streamed answer: sent at 100, headers 110, role-only event 120, content at 150, 170, 200 (2 units), end 210. */
function streamed() {
  const b = new TimelineBuilder(0);
  b.sent(100);
  b.headers(200, 110);
  b.firstByte(110);
  b.event(120); // role-only chunk: an event, not content
  b.text('Hello', 1, 150);
  b.text(' wor', 1, 170);
  b.text('ld!', 2, 200);
  return b.finish('ok', undefined, 210);
}

describe('deriveMetrics', () => {
  it('counts a role-only first chunk as first_event, not ttft', () => {
    const d = deriveMetrics(streamed(), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.values.first_event).toBe(20);
    expect(d.values.ttft).toBe(50);
  });

  it('measures latency, service_time and ttfb from the send time in closed loop', () => {
    const d = deriveMetrics(streamed(), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.values.latency).toBe(110);
    expect(d.values.service_time).toBe(110);
    expect(d.values.ttfb).toBe(10);
    expect(d.values.queue_delay).toBeUndefined();
  });

  it('gives one itl sample per gap between content events, and per-token gaps', () => {
    const d = deriveMetrics(streamed(), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.itl).toEqual([20, 30]);
    expect(d.itlPerToken).toEqual([20, 15]);
  });

  it('computes tpot, stream_time and decode_speed from the content events and output tokens', () => {
    const d = deriveMetrics(streamed(), { family: { family: 'text', streamed: true }, openLoop: false });
    // events count 1 + 1 + 2 = 4 tokens; (200 − 150) / 3
    expect(d.tokens).toEqual({ count: 4, source: 'events', events: 4 });
    expect(d.values.tpot).toBeCloseTo(50 / 3, 12);
    expect(d.values.decode_speed).toBeCloseTo(60, 12);
    expect(d.values.stream_time).toBe(80); // 200 − first event 120
  });

  it('leaves tpot undefined for a single token', () => {
    const b = new TimelineBuilder(0);
    b.sent(0);
    b.text('Hi', 1, 10);
    const d = deriveMetrics(b.finish('ok', undefined, 12), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.values.tpot).toBeUndefined();
    expect(d.values.decode_speed).toBeUndefined();
    expect(d.itl).toEqual([]);
    expect(d.values.output_tokens).toBe(1);
  });

  it('measures open-loop latency from the intended start and reports queue_delay and service_time', () => {
    const b = new TimelineBuilder(3, 1000);
    b.sent(1040);
    b.firstByte(1050);
    const t = b.finish('ok', undefined, 1100);
    const d = deriveMetrics(t, { family: { family: 'text', streamed: true }, openLoop: true });
    expect(d.values.latency).toBe(100);
    expect(d.values.service_time).toBe(60);
    expect(d.values.queue_delay).toBe(40);
    expect(d.values.ttfb).toBe(50);
    // The same timeline seen as closed loop ignores the schedule.
    expect(deriveMetrics(t, { family: { family: 'text', streamed: true }, openLoop: false }).values.latency).toBe(60);
  });

  it('keeps failed requests out of latency metrics and records error_latency instead', () => {
    const b = new TimelineBuilder(0, 0);
    b.sent(5);
    b.text('partial', 1, 20);
    const d = deriveMetrics(b.finish('timeout', 'timed out after 30 s', 30), { family: { family: 'text', streamed: true }, openLoop: true });
    expect(d.ok).toBe(false);
    expect(d.values).toEqual({ queue_delay: 5, error_latency: 30 });
    expect(d.itl).toEqual([]);
  });

  it('takes output tokens from usage, then the tokenizer, then content events, keeping every count', () => {
    const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
    const b = new TimelineBuilder(0);
    b.sent(0);
    b.text('one two', 1, 1);
    b.text(' three', 1, 2);
    const t = b.finish('ok', undefined, 3);
    expect(countOutputTokens(t)).toEqual({ count: 2, source: 'events', events: 2 });
    expect(countOutputTokens(t, words)).toEqual({ count: 3, source: 'tokenizer', tokenizer: 3, events: 2 });
    t.usageTokens = 5;
    expect(countOutputTokens(t, words)).toEqual({ count: 5, source: 'usage', usage: 5, tokenizer: 3, events: 2 });
    expect(deriveMetrics(t, { family: { family: 'text', streamed: true }, openLoop: false, tokenizer: words }).values.tpot).toBe(0.25); // (2 − 1) / (5 − 1)
  });

  it('reports no output tokens for a unary answer without text or usage', () => {
    const b = new TimelineBuilder(0);
    b.sent(0);
    const d = deriveMetrics(b.finish('ok', undefined, 7), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.tokens).toEqual({ source: 'none' });
    expect(d.values.output_tokens).toBeUndefined();
    expect(d.values.latency).toBe(7);
  });

  it("passes protocol-specific marks through as metrics of their own (Gradio's submit)", () => {
    const b = new TimelineBuilder(0);
    b.sent(0);
    b.extra('submit', 12.5);
    const d = deriveMetrics(b.finish('ok', undefined, 40), { family: { family: 'text', streamed: true }, openLoop: false });
    expect(d.extra).toEqual({ submit: 12.5 });
  });

  it('defines every metric once with its unit, and infers units of protocol metrics by name', () => {
    expect(METRICS.ttft.unit).toBe('ms');
    expect(METRICS.decode_speed.unit).toBe('tokens/s');
    expect(metricUnit('output_tokens')).toBe('tokens');
    expect(metricUnit('submit')).toBe('ms');
    expect(metricUnit('prompt_tokens')).toBe('tokens');
    expect(metricUnit('audio_bytes')).toBe('bytes');
    expect(metricUnit('rtf')).toBe('ratio');
  });
});

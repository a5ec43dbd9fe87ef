import { describe, expect, it } from 'vitest';
import { resolveServerOptions, type ReferenceServerOptions } from '../../src/server/options.js';
import { RequestPlanner, type FaultKind } from '../../src/server/request-plan.js';

const planner = (options: Partial<ReferenceServerOptions>) => new RequestPlanner(resolveServerOptions(options));

describe('request plans', () => {
  it('draws the same plans and text from the same seed, and different ones from another seed', () => {
    const options = { seed: 42, ttftMs: 'lognormal:200ms:0.3', itlMs: 'uniform:5ms:15ms', outputTokens: 'lognormal:20:0.5', stallRate: 0.2 };
    const first = planner(options);
    const second = planner(options);
    const other = planner({ ...options, seed: 43 });
    const a = Array.from({ length: 50 }, () => first.drawStreamPlan());
    const b = Array.from({ length: 50 }, () => second.drawStreamPlan());
    const c = Array.from({ length: 50 }, () => other.drawStreamPlan());
    expect(b).toEqual(a);
    expect(c.map((plan) => plan.tokenTexts.join(''))).not.toEqual(a.map((plan) => plan.tokenTexts.join('')));
  });

  it('keeps faults and text in place when only the timing distributions change', () => {
    const base = { seed: 5, errorRate: 0.3, stallRate: 0.3 };
    const slow = planner({ ...base, itlMs: 'lognormal:50ms:1' });
    const fast = planner({ ...base, itlMs: 1 });
    for (let i = 0; i < 100; i++) {
      const [s, f] = [slow.drawStreamPlan(), fast.drawStreamPlan()];
      expect(f.fault).toEqual(s.fault);
      expect(f.tokenTexts).toEqual(s.tokenTexts);
    }
  });

  it('gives each fault its share of requests, at most one fault per request', () => {
    const rates = { errorRate: 0.1, midStreamCloseRate: 0.05, midStreamErrorRate: 0.05, stallRate: 0.02 };
    const source = planner({ seed: 9, outputTokens: 32, ...rates });
    const counts: Record<FaultKind, number> = { none: 0, error: 0, 'mid-stream-close': 0, 'mid-stream-error': 0, stall: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const { fault, outputTokens } = source.drawStreamPlan();
      counts[fault.kind]++;
      if (fault.kind !== 'none' && fault.kind !== 'error') {
        expect(fault.afterTokens).toBeGreaterThanOrEqual(0);
        expect(fault.afterTokens).toBeLessThan(outputTokens);
      }
    }
    const tolerance = (rate: number) => 4 * Math.sqrt(n * rate * (1 - rate));
    expect(Math.abs(counts.error - n * 0.1)).toBeLessThan(tolerance(0.1));
    expect(Math.abs(counts['mid-stream-close'] - n * 0.05)).toBeLessThan(tolerance(0.05));
    expect(Math.abs(counts['mid-stream-error'] - n * 0.05)).toBeLessThan(tolerance(0.05));
    expect(Math.abs(counts.stall - n * 0.02)).toBeLessThan(tolerance(0.02));
  });

  it('caps output at max_tokens with finish "length", and generates exactly max_tokens with ignore_eos', () => {
    const source = planner({ outputTokens: 10, itlMs: 3 });
    expect(source.drawStreamPlan()).toMatchObject({ outputTokens: 10, finishReason: 'stop' });
    expect(source.drawStreamPlan({ maxTokens: 4 })).toMatchObject({ outputTokens: 4, finishReason: 'length' });
    expect(source.drawStreamPlan({ maxTokens: 50 })).toMatchObject({ outputTokens: 10, finishReason: 'stop' });
    const fixedLength = source.drawStreamPlan({ maxTokens: 50, ignoreEos: true });
    expect(fixedLength).toMatchObject({ outputTokens: 50, finishReason: 'length' });
    expect(fixedLength.itlMs).toHaveLength(49);
    expect(fixedLength.tokenTexts).toHaveLength(50);
  });

  it('adds ttftPerInFlightMs for each other request in flight', () => {
    const source = planner({ ttftMs: 100, ttftPerInFlightMs: 25 });
    expect(source.drawStreamPlan({}, 0).ttftMs).toBe(100);
    expect(source.drawStreamPlan({}, 4).ttftMs).toBe(200);
  });

  it('places mid-stream faults on chunk boundaries when several tokens share an event', () => {
    const source = planner({ seed: 3, outputTokens: 30, tokensPerChunk: 4, stallRate: 1 });
    for (let i = 0; i < 200; i++) expect(source.drawStreamPlan().fault.afterTokens % 4).toBe(0);
  });

  it('reports every invalid option at once', () => {
    expect(() => resolveServerOptions({ errorRate: 2, tokensPerChunk: 0, ttftMs: 'soon', errorStatus: 200 })).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^ttftMs: "soon" is not/),
          expect.stringMatching(/^tokensPerChunk: 0 is invalid/),
          expect.stringMatching(/^errorStatus: 200 is invalid; use an HTTP error status/),
          expect.stringMatching(/^errorRate: 2 is invalid; use a fraction/),
        ],
      }),
    );
    expect(() => resolveServerOptions({ errorRate: 0.6, stallRate: 0.6 })).toThrow(/add up to 1.2/);
  });
});

import { describe, expect, it } from 'vitest';
import { errorGroupOf } from '../../src/measure/error-groups.js';
import { run, serve } from '../../src/index.js';

describe('errors that differ only by ids', () => {
  it('are one message with <id> in their place; statuses, ports and words stay', () => {
    expect(errorGroupOf('HTTP 404: series "benchmark_stress_20260218_222137_measure_17" was never fit')).toBe('HTTP 404: series "<id>" was never fit');
    expect(errorGroupOf('HTTP 500: trace 3f2a9c0b1d4e5f60, request 7d0f3c1e-8a2b-4c3d-9e8f-1a2b3c4d5e6f')).toBe('HTTP 500: trace <id>, request <id>');
    expect(errorGroupOf('request failed (http://127.0.0.1:8000/x): connect ECONNREFUSED 127.0.0.1:8000')).toBe('request failed (http://127.0.0.1:8000/x): connect ECONNREFUSED 127.0.0.1:8000');
    expect(errorGroupOf('HTTP 429: rate limited for model gpt4')).toBe('HTTP 429: rate limited for model gpt4');
  });

  it('are counted together in a run: 12 predicts of 12 series never fit are one error ×12', async () => {
    const server = await serve({ seed: 1 });
    try {
      const { results } = await run({ target: { protocol: 'http', method: 'POST', url: `${server.url}/predict/never_{{index}}`, body: {} }, load: { requests: 12 }, output: { write: false } });
      expect(results.points[0]!.measure.counts.errors).toEqual([{ message: expect.stringContaining('series "<id>" was never fit'), count: 12 }]);
    } finally {
      await server.close();
    }
  });
});

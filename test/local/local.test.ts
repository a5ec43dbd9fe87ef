import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pointThroughput } from '../../src/report/comparison.js';
import { run } from '../../src/run/runner.js';

const tokenModel = fileURLToPath(new URL('./fixtures/token-model.ts', import.meta.url));
const frameModel = fileURLToPath(new URL('./fixtures/frame-model.mjs', import.meta.url));

async function runLocal(target: Record<string, unknown>, requests = 6) {
  const { results } = await run({ target: { protocol: 'local', ...target } as never, load: { requests }, phases: { warmup: { requests: 1 } }, output: { write: false } });
  return results.points[0]!.measure;
}

describe('local (in-process) targets', () => {
  it.each(['generate', 'stream', 'streamAsync'] as const)('%s: every mode timed the same way; tokens, callback time and memory recorded', async (mode) => {
    const m = await runLocal({ module: tokenModel, mode, input: { tokens: 12, perTokenMs: 0.5 } });
    expect(m.counts.ok).toBe(6);
    expect(m.tokens!.totalOutputTokens).toBe(72);
    // 12 tokens × 0.5 ms of work each.
    expect(m.metrics.latency!.summary.p50).toBeGreaterThanOrEqual(6);
    expect(m.metrics.heap_peak_bytes!.unit).toBe('bytes');
    expect(m.metrics.rss_peak_bytes!.summary.min).toBeGreaterThan(0);
    expect(m.metrics.callback_time!.unit).toBe('ms');
    if (mode === 'generate') expect(m.metrics.itl).toBeUndefined();
    else expect(m.metrics.itl!.summary.p50).toBeGreaterThanOrEqual(0.5);
  });

  it('stream() that adds 1 ms per token shows it in time per output token', async () => {
    const base = await runLocal({ module: tokenModel, mode: 'stream', input: { tokens: 10, perTokenMs: 0.5 } });
    const slow = await runLocal({ module: tokenModel, mode: 'stream', input: { tokens: 10, perTokenMs: 0.5, streamExtraMs: 1 } });
    expect(slow.metrics.tpot!.summary.p50 - base.metrics.tpot!.summary.p50).toBeGreaterThan(0.9);
    expect(slow.metrics.tpot!.summary.p50 - base.metrics.tpot!.summary.p50).toBeLessThan(1.2);
  });

  it('predict(batch) with a batch_size sweep: FPS rises with the batch (JS module)', async () => {
    const { results } = await run({
      target: { protocol: 'local', module: frameModel, frames: { width: 32, height: 32, format: 'raw' } },
      load: { requests: 8 },
      sweep: { batch_size: [1, 4] },
      output: { write: false },
    });
    const [one, four] = results.points.map((p) => pointThroughput(p));
    expect(one!.unit).toBe('FPS');
    // 1 image per 5 ms vs 4 per 8 ms: 2.5× in the model; well above 1.5× even on a busy machine.
    expect(four!.value / one!.value).toBeGreaterThan(1.5);
    expect(results.points[1]!.measure.metrics.frames_count!.summary.mean).toBe(4);
  });

  it('a missing module or export is a config error naming the field', async () => {
    await expect(runLocal({ module: './nope.ts' })).rejects.toThrow(/target\.module: cannot find .*nope\.ts/);
    await expect(runLocal({ module: frameModel, mode: 'stream' })).rejects.toThrow(/target\.mode: .* does not export stream\(\); it exports predict/);
  });
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFields, type RequestRecord } from '../../src/results/records.js';
import { run } from '../../src/run/runner.js';
import { serve } from '../../src/server/index.js';

let server: Awaited<ReturnType<typeof serve>>;
let dir: string;
beforeAll(async () => {
  // Some requests fail, so failure rows (error, body preview) are present.
  server = await serve({ ttftMs: '5ms', itlMs: '1ms', outputTokens: 3, errorRate: 0.2, seed: 4 });
  dir = await mkdtemp(join(tmpdir(), 'inferbench-records-'));
});
afterAll(async () => {
  await server?.close();
});

async function recordedRun(format: 'csv' | 'ndjson', load: Record<string, unknown>) {
  const result = await run({
    name: `records-${format}`,
    target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 3 },
    load,
    phases: { warmup: { requests: 5 } },
    tokenizer: 'none',
    output: { dir, records: format },
  });
  const sent = result.results.points.reduce((n, p) => n + p.measure.counts.sent + (p.warmup?.sent ?? 0), 0);
  return { ...result, sent, text: await readFile(result.recordsPath!, 'utf8') };
}

describe('per-request records', () => {
  it('CSV: one row per request sent, next to the results, with failures carrying their error and body preview', async () => {
    const r = await recordedRun('csv', { mode: 'concurrency', concurrency: 4, requests: 60 });
    expect(r.recordsPath).toBe(r.path!.replace(/\.json$/, '.records.csv'));
    const rows = parse(r.text, { columns: true }) as Record<string, string>[];
    // A text stream's columns: no audio or frame columns.
    expect(Object.keys(rows[0]!)).toEqual(recordFields([{ family: 'text', streamed: true }]));
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['ttft_ms', 'output_tokens', 'first_event_ms']));
    expect(Object.keys(rows[0]!)).not.toContain('ttfc_ms');
    expect(rows).toHaveLength(r.sent);
    expect(rows.filter((x) => x.phase === 'warmup')).toHaveLength(5);
    const measured = rows.filter((x) => x.phase === 'measure');
    expect(measured.map((x) => Number(x.call_index)).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const failed = measured.filter((x) => x.ok === 'false');
    expect(failed.length).toBe(r.results.points[0]!.measure.counts.failed);
    for (const f of failed) {
      expect(f.status).toBe('500');
      expect(f.error).not.toBe('');
      expect(f.body_preview).not.toBe('');
    }
    for (const ok of measured.filter((x) => x.ok === 'true')) {
      expect(ok.body_preview).toBe('');
      expect(Number(ok.end_epoch_ms) - Number(ok.start_epoch_ms)).toBeCloseTo(Number(ok.latency_ms), 0);
      expect(Number(ok.ttft_ms)).toBeGreaterThan(0);
      expect(Number(ok.output_tokens)).toBe(3);
    }
  });

  it('NDJSON: one object per request sent, with intended starts in open loop and the load point of a sweep', async () => {
    const r = await recordedRun('ndjson', { mode: 'rate', rate: 200, requests: 30, arrival: 'constant' });
    const rows = r.text.trim().split('\n').map((l) => JSON.parse(l) as RequestRecord);
    expect(rows).toHaveLength(r.sent);
    const measured = rows.filter((x) => x.phase === 'measure');
    expect(measured.every((x) => typeof x.intended_start_epoch_ms === 'number' && (x.start_epoch_ms as number) >= x.intended_start_epoch_ms - 0.001)).toBe(true);
    expect(new Set(rows.map((x) => x.load_point))).toEqual(new Set([r.results.points[0]!.label]));
  });
});

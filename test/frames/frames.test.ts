import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { FrameSource, placeFrames } from '../../src/protocols/frames/frame-source.js';
import { framesSchema } from '../../src/protocols/frames/schema.js';
import { syntheticImage } from '../../src/protocols/frames/images.js';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import { loadPoints } from '../../src/scenario/load-points.js';

describe('synthetic frames', () => {
  it('PNG, JPEG and raw decode to the asked size; the same seed gives the same bytes', () => {
    const png = PNG.sync.read(syntheticImage({ width: 64, height: 48, format: 'png', seed: 1 }));
    expect([png.width, png.height]).toEqual([64, 48]);
    const jpg = jpeg.decode(syntheticImage({ width: 64, height: 48, format: 'jpeg', seed: 1 }));
    expect([jpg.width, jpg.height]).toEqual([64, 48]);
    expect(syntheticImage({ width: 64, height: 48, format: 'raw', seed: 1 }).length).toBe(64 * 48 * 3);
    expect(syntheticImage({ width: 32, height: 32, format: 'png', seed: 2 }).equals(syntheticImage({ width: 32, height: 32, format: 'png', seed: 2 }))).toBe(true);
    expect(syntheticImage({ width: 32, height: 32, format: 'png', seed: 2 }).equals(syntheticImage({ width: 32, height: 32, format: 'png', seed: 3 }))).toBe(false);
  });

  it('places one frame, or a batch as a list of items, as base64 or bytes', async () => {
    const opts = framesSchema.parse({ width: 8, height: 8, format: 'raw', path: 'inputs[0].data' });
    const one = await FrameSource.create(opts);
    const b1 = await one.batch(0);
    const single = placeFrames({ inputs: [{ name: 'x' }] }, b1, opts, 0, 'base64', false) as { inputs: { name: string; data: string }[] };
    expect(single.inputs[0]).toEqual({ name: 'x', data: b1.frames[0]!.toString('base64') });

    const listOpts = framesSchema.parse({ width: 8, height: 8, format: 'raw', path: 'frames', item: { id: '{{frame_id}}', image: '{{frame}}' }, interval: '3ms' });
    const four = await FrameSource.create(listOpts, 4);
    const b4 = await four.batch(2);
    expect(b4.firstFrameWaitMs).toBeGreaterThanOrEqual(9);
    const list = placeFrames({}, b4, listOpts, 2, 'bytes', true) as { frames: { id: string; image: Buffer }[] };
    expect(list.frames.map((f) => f.id)).toEqual(['2-0', '2-1', '2-2', '2-3']);
    expect(Buffer.isBuffer(list.frames[0]!.image)).toBe(true);
  });

  it('a missing image folder names the folder', async () => {
    await expect(FrameSource.create(framesSchema.parse({ folder: '/nonexistent/frames' }))).rejects.toThrow(/cannot read the image folder \/nonexistent\/frames/);
  });
});

describe('sweep: { batch_size: [...] }', () => {
  it('expands to one load point per batch size, labelled, each overriding target.batch_size', () => {
    const raw = { target: { protocol: 'local', module: './m.ts', frames: {} }, sweep: { batch_size: [1, 2, 4, 8] } };
    const loaded = resolveScenario(raw, {});
    const points = loadPoints(loaded.scenario, loaded.raw);
    expect(points.map((p) => p.label)).toEqual(['batch_size=1', 'batch_size=2', 'batch_size=4', 'batch_size=8']);
    expect(points.map((p) => (p.target as { batch_size?: number }).batch_size)).toEqual([1, 2, 4, 8]);
  });

  it('rejects a batch size that is not a whole number ≥ 1, with its path', () => {
    expect(() => resolveScenario({ target: { protocol: 'local', module: './m.ts' }, sweep: { batch_size: [0, 2.5] } }, {})).toThrow(/sweep/);
  });
});

describe('frames over HTTP', () => {
  it('sends a batch as multipart files, raw bytes, or base64 JSON; the server receives exactly the frames', async () => {
    const { createServer } = await import('node:http');
    const { run } = await import('../../src/run/runner.js');
    const seen: { type: string; files: number[]; raw: number; json?: unknown }[] = [];
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      const entry: (typeof seen)[number] = { type, files: [], raw: body.length };
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(body, { headers: { 'content-type': type } }).formData();
        for (const v of form.getAll('image')) entry.files.push((v as Blob).size);
      } else if (type === 'application/json') entry.json = JSON.parse(body.toString());
      seen.push(entry);
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/predict`;
    const frames = { width: 16, height: 16, format: 'png' as const, path: 'image' };
    const size = syntheticImage({ width: 16, height: 16, format: 'png', seed: 7 * 1000 }).length;
    try {
      for (const http_body of ['multipart', 'raw', 'json'] as const) {
        const { results } = await run({ target: { protocol: 'http', url, method: 'POST', body: { model: 'det' }, frames: { ...frames, http_body }, batch_size: 2 }, load: { requests: 2 }, output: { write: false } });
        expect(results.points[0]!.measure.counts.ok).toBe(2);
        expect(results.points[0]!.measure.metrics.frames_count!.summary.mean).toBe(2);
      }
    } finally {
      server.close();
    }
    expect(seen[0]!.files).toHaveLength(2);
    expect(seen[0]!.files[0]).toBe(size);
    expect(seen[2]!.type).toBe('image/png');
    expect(seen[2]!.raw).toBeGreaterThan(size);
    const json = seen[4]!.json as { model: string; image: string[] };
    expect(json.model).toBe('det');
    expect(Buffer.from(json.image[0]!, 'base64').length).toBe(size);
  });
});

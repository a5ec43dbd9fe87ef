import { nowMs, sleepUntil } from '../../model/clock.js';
import type { Timeline } from '../../model/timeline.js';
import { compilePath, setPath } from '../wire/extraction.js';
import type { FramesOptions } from './schema.js';
import { readImageFolder, syntheticImage } from './images.js';

/** The frames a request carries, and how long the batch took to fill. */
export interface FrameBatch {
  frames: Buffer[];
  /** When the first frame of the batch became available (monotonic ms). */
  firstFrameAtMs: number;
  /** Last frame's availability − first frame's (`first_frame_wait`, model/metrics.ts). */
  firstFrameWaitMs: number;
}

/**
 * Hands out frames for requests: a pool made once (synthetic, seeded) or read from a folder,
 * used in turn; with `interval`, a batch is released only once its last frame "arrived".
 */
export class FrameSource {
  private constructor(
    private readonly pool: Buffer[],
    readonly options: FramesOptions,
    readonly batchSize: number,
  ) {}

  static async create(options: FramesOptions, batchSize = 1): Promise<FrameSource> {
    const pool = options.folder
      ? await readImageFolder(options.folder)
      : Array.from({ length: options.count }, (_, i) =>
          syntheticImage({ width: options.width, height: options.height, format: options.format, seed: options.seed * 1000 + i }),
        );
    return new FrameSource(pool, options, batchSize);
  }

  /**
   * A target's frames (`frames`, `batch_size`), or none; problems (an unreadable folder,
   * `batch_size` without frames) are added to the target's config problems, not thrown.
   */
  static async forTarget(
    target: { frames?: FramesOptions; batch_size?: number },
    problems: { path: string; message: string }[],
  ): Promise<FrameSource | undefined> {
    if (!target.frames) {
      if (target.batch_size !== undefined) problems.push({ path: 'target.batch_size', message: 'batch_size needs frames (target.frames) to batch' });
      return undefined;
    }
    try {
      return await FrameSource.create(target.frames, target.batch_size ?? 1);
    } catch (err) {
      problems.push({ path: 'target.frames.folder', message: (err as Error).message });
      return undefined;
    }
  }

  frame(i: number): Buffer {
    return this.pool[i % this.pool.length]!;
  }

  /**
   * The frames of request `index`, waiting for the camera when an interval is set. The
   * first frame is taken to arrive when this is called.
   */
  async batch(index: number, signal?: AbortSignal): Promise<FrameBatch> {
    const firstFrameAtMs = nowMs();
    const frames = Array.from({ length: this.batchSize }, (_, k) => this.frame(index * this.batchSize + k));
    const fillMs = (this.batchSize - 1) * this.options.interval;
    // Timers may fire a fraction of a millisecond early; the last frame is not there before its time.
    while (fillMs > 0 && nowMs() < firstFrameAtMs + fillMs && !signal?.aborted) await sleepUntil(firstFrameAtMs + fillMs, signal);
    return { frames, firstFrameAtMs, firstFrameWaitMs: fillMs > 0 ? nowMs() - firstFrameAtMs : 0 };
  }
}

/**
 * Puts a batch into a rendered request object at `frames.path`. `bytes` keeps Buffers (gRPC
 * bytes fields); `base64` writes strings (JSON bodies).
 */
export function placeFrames(
  request: Record<string, unknown>,
  batch: FrameBatch,
  options: FramesOptions,
  index: number,
  encoding: 'base64' | 'bytes',
  batchSizeSet: boolean,
): Record<string, unknown> {
  const items = batch.frames.map((f, k) => {
    const image = encoding === 'base64' ? f.toString('base64') : f;
    return options.item === undefined ? image : fillItem(options.item, image, `${index}-${k}`);
  });
  const asList = (options.as ?? (batchSizeSet ? 'list' : 'single')) === 'list';
  setPath(request, compilePath(options.path), asList ? items : items[0]);
  return request;
}

function fillItem(template: unknown, image: unknown, frameId: string): unknown {
  if (template === '{{frame}}') return image;
  if (typeof template === 'string') return template.replaceAll('{{frame_id}}', frameId);
  if (Array.isArray(template)) return template.map((t) => fillItem(t, image, frameId));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillItem(v, image, frameId)]));
  }
  return template;
}

/** Frame metrics (model/metrics.ts): `frames_count`, `batch_latency`, `frame_latency` (mean over the batch's frames), `first_frame_wait`. */
export function recordFrames(t: Timeline, batch: FrameBatch, batched: boolean): void {
  const n = batch.frames.length;
  t.extra.frames_count = n;
  if (t.outcome !== 'ok') return;
  // The batch's answer is when its frames were answered (a frames stream already marked each one).
  if (!t.content.some((e) => e.kind === 'frames')) t.content.push({ atMs: t.endMs, kind: 'frames', units: n, chars: 0 });
  if (batched) t.extra.batch_latency = t.endMs - t.sentMs;
  // Frame k became available at first + k × (wait / (n − 1)); its latency runs from then to the answer.
  const meanArrivalOffsetMs = n > 1 ? batch.firstFrameWaitMs / 2 : 0;
  t.extra.frame_latency = t.endMs - (batch.firstFrameAtMs + meanArrivalOffsetMs);
  if (batched) t.extra.first_frame_wait = batch.firstFrameWaitMs;
}

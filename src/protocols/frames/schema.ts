import { z } from 'zod';
import { durationMs, positiveInt } from '../../scenario/fields.js';

/**
 * Image frames put into each request (vision models, detection). Frames are made (or read)
 * once before the run, so encoding never counts in a measured request.
 */
export const framesSchema = z.strictObject({
  /** A folder of images to send in turn; synthetic seeded images when absent. */
  folder: z.string().min(1).optional(),
  width: positiveInt('pixels').default(640),
  height: positiveInt('pixels').default(640),
  format: z.enum(['png', 'jpeg', 'raw']).default('jpeg'),
  /** Distinct synthetic frames, used in turn. */
  count: positiveInt('frames').default(8),
  seed: z.number().int().default(7),
  /** Dotted path in the request where the frame (or the batch's list of frames) goes. */
  path: z.string().default('image'),
  /**
   * Each frame as an object (e.g. `{ id: "{{frame_id}}", image: "{{frame}}" }`); `{{frame}}` is the
   * image and `{{frame_id}}` "<request index>-<frame in batch>". The bare image when absent.
   */
  item: z.unknown().optional(),
  /** `list` puts an array of frames at `path` (one per batch slot); default: list when batch_size is set. */
  as: z.enum(['single', 'list']).optional(),
  /** JSON encodes bytes as base64 strings; gRPC and raw bodies carry the bytes themselves. Default by protocol. */
  encoding: z.enum(['base64', 'bytes']).optional(),
  /**
   * Camera frame interval: frames become available this far apart, so a batch of B frames
   * waits (B − 1) × interval to fill before it is sent (`first_frame_wait`). 0 = all at once.
   */
  interval: durationMs.default(0),
  /** HTTP targets: base64 inside the JSON body, the bytes as the whole body, or multipart/form-data (file field `path`). */
  http_body: z.enum(['json', 'raw', 'multipart']).default('json'),
});
export type FramesOptions = z.output<typeof framesSchema>;

/** Target fields for frame-carrying protocols. */
export const frameTargetFields = {
  frames: framesSchema.optional(),
  /** Frames per request (client-side batching); sweep it with `sweep: { batch_size: [1, 2, 4, 8] }`. */
  batch_size: positiveInt('frames').optional(),
};

import { z } from 'zod';
import { positiveInt } from '../../scenario/fields.js';

/** How raw PCM is laid out; WAV streams carry this in their header instead. */
export const pcmLayout = {
  /** Hz; OpenAI's pcm is 24000. */
  sample_rate: positiveInt('Hz').default(24_000),
  /** Bytes per sample: 2 = 16-bit. */
  sample_width: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'expected 1, 2, 3 or 4 bytes per sample' }).default(2),
  channels: positiveInt('channels').default(1),
};


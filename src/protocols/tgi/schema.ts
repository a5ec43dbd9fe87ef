import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** Hugging Face text-generation-inference's native API. */
export const tgiTargetSchema = z.strictObject({
  protocol: z.literal('tgi'),
  ...commonTargetFields,
  /** The prompt (`inputs`); templated. */
  prompt: z.string().default('Write a short story about a benchmark.'),
  max_new_tokens: positiveInt('tokens').optional(),
  /** `/generate_stream` (true) or `/generate`; appended to the URL unless it already ends in one. */
  stream: z.boolean().default(true),
  /** Other `parameters` (temperature, top_p, seed, stop...), templated. `details` is always asked for. */
  parameters: z.record(z.string(), z.unknown()).default({}),
});
export type TgiTarget = z.output<typeof tgiTargetSchema>;

import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** The OpenAI Responses API (`POST /v1/responses`), streamed. */
export const openaiResponsesTargetSchema = z.strictObject({
  protocol: z.literal('openai-responses'),
  ...commonTargetFields,
  model: z.string().default('inferbench-reference'),
  /** `input`: a string or input items; templated. */
  input: z.union([z.string(), z.array(z.unknown())]).default('Write a short story about a benchmark.'),
  instructions: z.string().optional(),
  max_output_tokens: positiveInt('tokens').optional(),
  stream: z.boolean().default(true),
  /** Extra fields merged into the request body (templated). */
  extra_body: z.record(z.string(), z.unknown()).default({}),
  /** Count reasoning deltas as content for TTFT/ITL. */
  count_reasoning: z.boolean().default(true),
});
export type OpenAIResponsesTarget = z.output<typeof openaiResponsesTargetSchema>;

import { z } from 'zod';
import { commonTargetFields } from '../../scenario/fields.js';

/** KServe v2 / Open Inference Protocol over HTTP, and Triton's generate_stream. */
export const kserveTargetSchema = z.strictObject({
  protocol: z.literal('kserve'),
  ...commonTargetFields,
  /** The model name; taken from a URL like .../v2/models/<model>/infer when absent. */
  model: z.string().optional(),
  /** `infer` (JSON tensors, one answer) or `generate_stream` (Triton, SSE); taken from the URL when it ends in either. */
  api: z.enum(['infer', 'generate_stream']).optional(),
  /** The text input (`text_input`); templated. */
  prompt: z.string().default('Write a short story about a benchmark.'),
  /** infer: the input tensors as sent, templated; default one BYTES tensor `text_input` holding the prompt. */
  inputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()) }).loose()).optional(),
  /** Request `parameters` (max_tokens, temperature...), templated. */
  parameters: z.record(z.string(), z.unknown()).default({}),
  /** infer: the output tensor that holds the text. */
  output: z.string().default('text_output'),
});
export type KserveTarget = z.output<typeof kserveTargetSchema>;

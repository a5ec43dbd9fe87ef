import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** Ollama's native API, `/api/generate` and `/api/chat`. */
export const ollamaTargetSchema = z.strictObject({
  protocol: z.literal('ollama'),
  ...commonTargetFields,
  /** `generate` or `chat`; taken from the URL when it ends in /api/generate or /api/chat, else generate. */
  api: z.enum(['generate', 'chat']).optional(),
  model: z.string({ error: 'required: the Ollama model name, e.g. "llama3.2"' }).min(1),
  /** The prompt (generate) or user message (chat); templated. */
  prompt: z.string().default('Write a short story about a benchmark.'),
  messages: z.array(z.object({ role: z.string(), content: z.unknown() }).loose()).optional(),
  /** `options.num_predict`: the most tokens to generate. */
  num_predict: positiveInt('tokens').optional(),
  /** Other `options` (temperature, seed, num_ctx...), templated. */
  options: z.record(z.string(), z.unknown()).default({}),
  stream: z.boolean().default(true),
});
export type OllamaTarget = z.output<typeof ollamaTargetSchema>;

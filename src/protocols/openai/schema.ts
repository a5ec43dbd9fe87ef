import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** OpenAI-compatible chat and completions APIs (vLLM, TGI, Ollama's /v1, SGLang, OpenAI itself). */
export const openaiTargetSchema = z.strictObject({
  protocol: z.literal('openai'),
  ...commonTargetFields,
  /** `chat` (/v1/chat/completions) or `completions` (/v1/completions); taken from the URL when absent. */
  api: z.enum(['chat', 'completions']).optional(),
  model: z.string().default('inferbench-reference'),
  /** The user message (chat) or prompt (completions); templated. Ignored when `messages` is given. */
  prompt: z.string().default('Write a short story about a benchmark.'),
  messages: z.array(z.object({ role: z.string(), content: z.unknown() }).loose()).optional(),
  max_tokens: positiveInt('tokens').optional(),
  stream: z.boolean().default(true),
  /** Ask for the final usage chunk, so output tokens come from the server. */
  include_usage: z.boolean().default(true),
  /** vLLM: keep generating to max_tokens (fixed-length outputs). */
  ignore_eos: z.boolean().optional(),
  temperature: z.number().optional(),
  /** Extra fields merged into the request body as they are (templated). */
  extra_body: z.record(z.string(), z.unknown()).default({}),
  /** Count reasoning deltas (`reasoning`, `reasoning_content`) as content for TTFT/ITL. */
  count_reasoning: z.boolean().default(true),
});
export type OpenAITarget = z.output<typeof openaiTargetSchema>;

import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** OpenAI-compatible `POST /v1/embeddings` (vLLM, TEI, Infinity, Ollama's /v1, OpenAI itself). */
export const openaiEmbeddingsTargetSchema = z.strictObject({
  protocol: z.literal('openai-embeddings'),
  ...commonTargetFields,
  model: z.string().default('inferbench-reference'),
  /** The text to embed, or a list of texts embedded in one request; templated. */
  input: z.union([z.string(), z.array(z.string()).min(1)]).default('The quick brown fox jumps over the lazy dog.'),
  /** Vectors of this length, for models that can shorten them. */
  dimensions: positiveInt('dimensions').optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  /** Extra fields merged into the request body as they are (templated). */
  extra_body: z.record(z.string(), z.unknown()).default({}),
});
export type OpenAIEmbeddingsTarget = z.output<typeof openaiEmbeddingsTargetSchema>;

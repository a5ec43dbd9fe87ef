import { defineProtocol } from '../descriptor.js';
import { openaiEmbeddingsTargetSchema } from './schema.js';

export const openaiEmbeddingsProtocol = defineProtocol({
  schema: openaiEmbeddingsTargetSchema,
  summary: 'OpenAI-compatible /v1/embeddings, one answer per request (vLLM, TEI, Infinity, OpenAI)',
  families: () => [{ family: 'unary', streamed: false }],
  textual: () => false,
  flagFields: { prompt: 'input', model: 'model' },
  impliedBy: /\/embeddings\/?$/,
  example: 'inferbench run --url http://127.0.0.1:8000/v1/embeddings --model M --prompt "a sentence to embed" -c 16 -n 1000',
  metrics: {
    embeddings_count: { unit: 'count', definition: 'vectors in the answer (one per input)' },
    embedding_dimensions_count: { unit: 'count', definition: 'length of the first vector' },
    prompt_tokens: { unit: 'tokens', definition: "the server's usage.prompt_tokens for the request" },
  },
  create: async (target, ctx) => new (await import('./client.js')).OpenAIEmbeddingsClient(target, ctx),
});

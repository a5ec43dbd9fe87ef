import { defineProtocol } from '../descriptor.js';
import { openaiResponsesTargetSchema } from './schema.js';

export const openaiResponsesProtocol = defineProtocol({
  schema: openaiResponsesTargetSchema,
  summary: 'the OpenAI Responses API, POST /v1/responses, streamed',
  families: (t) => [{ family: 'text', streamed: t.stream }],
  textual: () => true,
  textHint: '--debug sse to see the raw events (text comes from response.output_text.delta)',
  flagFields: { prompt: 'input', maxTokens: 'max_output_tokens', model: 'model' },
  impliedBy: /\/v1\/responses\/?$/,
  example: 'inferbench run --protocol openai-responses --url http://127.0.0.1:8000 --model M --prompt "Hello" -n 50',
  create: async (target, ctx) => new (await import('./client.js')).OpenAIResponsesClient(target, ctx),
});

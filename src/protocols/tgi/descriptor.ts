import { defineProtocol } from '../descriptor.js';
import { tgiTargetSchema } from './schema.js';

export const tgiProtocol = defineProtocol({
  schema: tgiTargetSchema,
  summary: "Hugging Face text-generation-inference's native /generate_stream (and /generate)",
  families: (t) => [{ family: 'text', streamed: t.stream }],
  textual: () => true,
  textHint: '--debug sse to see the raw events (text comes from token.text)',
  flagFields: { prompt: 'prompt', maxTokens: 'max_new_tokens' },
  impliedBy: /\/generate(_stream)?\/?$/,
  example: 'inferbench run --protocol tgi --url http://127.0.0.1:8080 --prompt "Hello" --max-tokens 128 -c 8 -n 100',
  create: async (target, ctx) => new (await import('./client.js')).TgiClient(target, ctx),
});

import { defineProtocol } from '../descriptor.js';
import { openaiTargetSchema } from './schema.js';

export const openaiProtocol = defineProtocol({
  schema: openaiTargetSchema,
  summary: 'OpenAI-compatible /v1/chat/completions or /v1/completions, streamed (vLLM, SGLang, TGI and Ollama /v1, OpenAI)',
  families: (t) => [{ family: 'text', streamed: t.stream }],
  textual: () => true,
  textHint: '--debug sse to see the raw events (the text is read from choices[0].delta.content or choices[0].text)',
  flagFields: { prompt: 'prompt', maxTokens: 'max_tokens', model: 'model' },
  impliedBy: /\/(chat\/)?completions\/?$/,
  example: 'inferbench run --url http://127.0.0.1:8000/v1/chat/completions --model M --prompt "Explain KV caching." --max-tokens 128 -c 8 -n 200',
  create: async (target, ctx) => new (await import('./client.js')).OpenAIClient(target, ctx),
});

import { defineProtocol } from '../descriptor.js';
import { ollamaTargetSchema } from './schema.js';

const serverMs = (what: string) => ({ unit: 'ms' as const, definition: `Ollama's own ${what}, from the final line (integer ns reported as ms)`, families: ['text'] as const });

export const ollamaProtocol = defineProtocol({
  schema: ollamaTargetSchema,
  summary: "Ollama's native /api/generate and /api/chat (NDJSON)",
  families: (t) => [{ family: 'text', streamed: t.stream }],
  textual: () => true,
  textHint: '--debug sse to see the raw lines (text comes from response or message.content)',
  flagFields: { prompt: 'prompt', maxTokens: 'num_predict', model: 'model' },
  impliedBy: /\/api\/(generate|chat)\/?$/,
  example: 'inferbench run --protocol ollama --url http://127.0.0.1:11434/api/chat --model llama3.2 --prompt "Hello" -n 20',
  metrics: {
    server_total_duration: serverMs('total_duration'),
    server_load_duration: serverMs('load_duration'),
    server_prompt_eval_duration: serverMs('prompt_eval_duration'),
    server_ttft: serverMs('load_duration + prompt_eval_duration (its time to first token)'),
    server_eval_duration: serverMs('eval_duration'),
    server_decode_tokens_per_s: { unit: 'tokens/s', definition: "Ollama's own eval_count / eval_duration", families: ['text'] },
  },
  create: async (target, ctx) => new (await import('./client.js')).OllamaClient(target, ctx),
});

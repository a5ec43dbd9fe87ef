import { defineProtocol } from '../descriptor.js';
import { kserveTargetSchema } from './schema.js';

const KSERVE_URL = /\/v2\/models\/[^/]+(?:\/versions\/[^/]+)?\/(infer|generate_stream)\/?$/;

export const kserveProtocol = defineProtocol({
  schema: kserveTargetSchema,
  summary: 'KServe v2 / Open Inference Protocol over HTTP (infer: JSON tensors), and Triton generate_stream (SSE)',
  families: (t) => {
    const api = t.api ?? (KSERVE_URL.exec(t.url)?.[1] as 'infer' | 'generate_stream' | undefined) ?? 'infer';
    if (api === 'generate_stream') return [{ family: 'text', streamed: true }];
    return [{ family: t.inputs ? 'unary' : 'text', streamed: false }];
  },
  textual: (t) => t.inputs === undefined,
  textHint: '--debug sse to see the raw answers (text comes from the text_output tensor or text_output deltas)',
  flagFields: { prompt: 'prompt', maxTokens: 'parameters.max_tokens', model: 'model' },
  impliedBy: KSERVE_URL,
  example: 'inferbench run --protocol kserve --url http://127.0.0.1:8000/v2/models/m/generate_stream --prompt "Hello" -n 50',
  create: async (target, ctx) => new (await import('./client.js')).KserveClient(target, ctx),
});

import { defineProtocol } from '../descriptor.js';
import { sseTargetSchema } from './schema.js';

export const sseProtocol = defineProtocol({
  schema: sseTargetSchema,
  summary: 'any server-sent-events stream of JSON events (you name the text, usage and end paths)',
  families: () => [{ family: 'text', streamed: true }],
  textual: () => true,
  textHint: '--debug sse to see the raw events, then point --content-path (e.g. "choices[0].delta.content") at the text',
  example: `inferbench run --protocol sse --url http://127.0.0.1:8000/stream --body '{"q":"hi"}' --content-path 'choices[0].delta.content'`,
  create: async (target, ctx) => new (await import('./client.js')).GenericSseClient(target, ctx),
});

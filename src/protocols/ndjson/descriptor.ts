import { defineProtocol } from '../descriptor.js';
import { ndjsonTargetSchema } from './schema.js';

export const ndjsonProtocol = defineProtocol({
  schema: ndjsonTargetSchema,
  summary: 'any newline-delimited JSON stream (you name the text, usage and end paths)',
  families: () => [{ family: 'text', streamed: true }],
  textual: () => true,
  textHint: '--debug sse to see the raw lines, then point --content-path (e.g. "response") at the text',
  example: `inferbench run --protocol ndjson --url http://127.0.0.1:8000/api --body '{"q":"hi"}' --content-path response --end-path done`,
  create: async (target, ctx) => new (await import('./client.js')).NdjsonClient(target, ctx),
});

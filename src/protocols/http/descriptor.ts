import { defineProtocol } from '../descriptor.js';
import { httpTargetSchema } from './schema.js';

export const httpProtocol = defineProtocol({
  schema: httpTargetSchema,
  summary: 'any HTTP endpoint, one answer per request (latency, TTFB, status codes; FPS with frames)',
  families: (t) => [{ family: t.frames ? 'frames' : 'unary', streamed: false }],
  textual: () => false,
  example: 'inferbench run --protocol http --url http://127.0.0.1:8080/predict --method POST --body @payload.json -c 16 -n 1000',
  create: async (target, ctx) => new (await import('./client.js')).HttpClient(target, ctx),
});

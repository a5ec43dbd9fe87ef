import { defineProtocol } from '../descriptor.js';
import { audioHttpTargetSchema } from './schema.js';

export const audioHttpProtocol = defineProtocol({
  schema: audioHttpTargetSchema,
  summary: 'any HTTP endpoint answering with audio: raw chunked bytes, or base64 audio in SSE/NDJSON events',
  families: () => [{ family: 'audio', streamed: true }],
  textual: () => false,
  example: 'inferbench run --protocol audio-http --url http://127.0.0.1:8000/tts/stream --response-format wav -n 20',
  create: async (target, ctx) => new (await import('./client.js')).AudioHttpClient(target, ctx),
});

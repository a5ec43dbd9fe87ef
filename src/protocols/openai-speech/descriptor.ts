import { defineProtocol } from '../descriptor.js';
import { openaiSpeechTargetSchema } from './schema.js';

export const openaiSpeechProtocol = defineProtocol({
  schema: openaiSpeechTargetSchema,
  summary: 'OpenAI-style text to speech, POST /v1/audio/speech (pcm or wav, raw chunks or SSE deltas)',
  families: () => [{ family: 'audio', streamed: true }],
  textual: () => false,
  flagFields: { prompt: 'input', model: 'model' },
  impliedBy: /\/audio\/speech\/?$/,
  example: 'inferbench run --url http://127.0.0.1:8091/v1/audio/speech --dataset tts-standard --slo "ttfc<=400ms"',
  create: async (target, ctx) => new (await import('./client.js')).OpenAISpeechClient(target, ctx),
});

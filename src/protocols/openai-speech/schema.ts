import { z } from 'zod';
import { commonTargetFields } from '../../scenario/fields.js';
import { pcmLayout } from '../wire/pcm-layout.js';

/**
 * OpenAI-style `POST /v1/audio/speech`: raw chunked audio
 * (`stream_format: "audio"`) or SSE with base64 `speech.audio.delta` events (`"sse"`).
 * Only pcm and wav are accepted: their duration is exact from the bytes received.
 */
export const openaiSpeechTargetSchema = z.strictObject({
  protocol: z.literal('openai-speech'),
  ...commonTargetFields,
  model: z.string().default('gpt-4o-mini-tts'),
  /** Text to speak (templated). Absent: the dataset row's `text` field, else a short standard sentence. */
  input: z.string().optional(),
  voice: z.union([z.string(), z.object({ id: z.string() })]).default('alloy'),
  response_format: z.enum(['pcm', 'wav'], { error: 'expected "pcm" or "wav" (compressed formats have no exact duration from bytes)' }).default('pcm'),
  stream_format: z.enum(['audio', 'sse']).default('audio'),
  speed: z.number().min(0.25).max(4).optional(),
  instructions: z.string().optional(),
  ...pcmLayout,
  /** Extra fields merged into the request body as they are (templated). */
  extra_body: z.record(z.string(), z.unknown()).default({}),
});
export type OpenAISpeechTarget = z.output<typeof openaiSpeechTargetSchema>;

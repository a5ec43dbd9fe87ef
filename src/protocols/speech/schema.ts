import { z } from 'zod';
import { commonTargetFields, positiveInt } from '../../scenario/fields.js';

/** How raw PCM is laid out; WAV streams carry this in their header instead. */
const pcmLayout = {
  /** Hz; OpenAI's pcm is 24000. */
  sample_rate: positiveInt('Hz').default(24_000),
  /** Bytes per sample: 2 = 16-bit. */
  sample_width: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: 'expected 1, 2, 3 or 4 bytes per sample' }).default(2),
  channels: positiveInt('channels').default(1),
};

/**
 * OpenAI-style `POST /v1/audio/speech` (PROTOCOLS.md §7.1): raw chunked audio
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

/**
 * Any HTTP endpoint that answers with audio: raw chunked bytes (`framing: raw`), or audio
 * as base64 in a field of SSE or NDJSON events (`framing: sse | ndjson`, `audio_field`).
 */
export const audioHttpTargetSchema = z.strictObject({
  protocol: z.literal('audio-http'),
  ...commonTargetFields,
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** JSON body (templated); default `{"text": <the dataset row's text, else a standard sentence>}`. */
  body: z.unknown().optional(),
  /** `wav` (header parsed) or `pcm` (headerless; declare sample_rate, sample_width, channels). */
  format: z.enum(['pcm', 'wav']).default('wav'),
  ...pcmLayout,
  framing: z.enum(['raw', 'sse', 'ndjson']).default('raw'),
  /** sse/ndjson: dotted path to the base64 audio in each event's JSON, e.g. "audio" or "data.chunk". */
  audio_field: z.string().min(1).default('audio'),
  /** sse/ndjson: the event that ends the stream, as "field=value" (e.g. "type=done"); absent: the stream's end. */
  done_when: z.string().regex(/^[^=]+=.*$/, 'expected "field=value", e.g. "type=speech.audio.done"').optional(),
});
export type AudioHttpTarget = z.output<typeof audioHttpTargetSchema>;

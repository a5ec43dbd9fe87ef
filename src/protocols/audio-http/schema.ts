import { z } from 'zod';
import { commonTargetFields } from '../../scenario/fields.js';
import { pcmLayout } from '../wire/pcm-layout.js';

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

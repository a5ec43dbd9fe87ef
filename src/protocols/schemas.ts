import { z } from 'zod';
import { grpcTargetSchema } from './grpc/schema.js';
import { httpTargetSchema } from './http/schema.js';
import { localTargetSchema } from './local/schema.js';
import { openaiTargetSchema } from './openai/schema.js';
import { gradioTargetSchema } from './gradio/schema.js';
import { tgiTargetSchema } from './tgi/schema.js';
import { ollamaTargetSchema } from './ollama/schema.js';
import { kserveTargetSchema } from './kserve/schema.js';
import { openaiResponsesTargetSchema } from './openai-responses/schema.js';
import { sseTargetSchema } from './sse/schema.js';
import { ndjsonTargetSchema } from './ndjson/schema.js';
import { websocketTargetSchema } from './websocket/schema.js';
import { audioHttpTargetSchema, openaiSpeechTargetSchema } from './speech/schema.js';

/**
 * Every protocol's target schema, one line each. The scenario's `target` is the
 * union of these, discriminated by `protocol`.
 */
export const targetSchema = z.discriminatedUnion('protocol', [
  httpTargetSchema,
  openaiTargetSchema,
  gradioTargetSchema,
  tgiTargetSchema,
  ollamaTargetSchema,
  kserveTargetSchema,
  openaiResponsesTargetSchema,
  sseTargetSchema,
  ndjsonTargetSchema,
  grpcTargetSchema,
  websocketTargetSchema,
  localTargetSchema,
  openaiSpeechTargetSchema,
  audioHttpTargetSchema,
]);

export type Target = z.output<typeof targetSchema>;
export type ProtocolName = Target['protocol'];

import { z } from 'zod';
import { httpTargetSchema } from './http.schema.js';
import { openaiTargetSchema } from './openai.schema.js';
import { audioHttpTargetSchema, openaiSpeechTargetSchema } from './speech.schema.js';

/**
 * Every protocol's target schema, one line each. The scenario's `target` is the
 * union of these, discriminated by `protocol`.
 */
export const targetSchema = z.discriminatedUnion('protocol', [httpTargetSchema, openaiTargetSchema, openaiSpeechTargetSchema, audioHttpTargetSchema]);

export type Target = z.output<typeof targetSchema>;
export type ProtocolName = Target['protocol'];

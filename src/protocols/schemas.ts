import { z } from 'zod';
import { grpcTargetSchema } from './grpc.schema.js';
import { httpTargetSchema } from './http.schema.js';
import { localTargetSchema } from './local.schema.js';
import { openaiTargetSchema } from './openai.schema.js';
import { websocketTargetSchema } from './websocket.schema.js';

/**
 * Every protocol's target schema, one line each. The scenario's `target` is the
 * union of these, discriminated by `protocol`.
 */
export const targetSchema = z.discriminatedUnion('protocol', [httpTargetSchema, openaiTargetSchema, grpcTargetSchema, websocketTargetSchema, localTargetSchema]);

export type Target = z.output<typeof targetSchema>;
export type ProtocolName = Target['protocol'];

import { z } from 'zod';
import { frameTargetFields } from '../frames/schema.js';
import { durationMs, buildField } from '../../scenario/fields.js';
import { extractionFields } from '../wire/extraction.js';

const wsUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'ws:' || u.protocol === 'wss:';
  } catch {
    return false;
  }
}, 'expected a WebSocket URL like "ws://127.0.0.1:8000/ws/generate" (wss:// for TLS)');

/**
 * A WebSocket API: each request sends one templated message; the answer is the messages that
 * follow, read as stream events (`stream`) or as one reply (`echo`, a per-message round trip).
 */
export const websocketTargetSchema = z.strictObject({
  protocol: z.literal('websocket'),
  url: wsUrl,
  /** Handshake headers (e.g. Authorization: Bearer ${TOKEN}). */
  headers: z.record(z.string(), z.string()).default({}),
  /** Request-builder module (see scenario/fields.ts buildField). */
  build: buildField,
  /** The message: JSON (sent as text) or a string; templated ({{index}}, {{row.x}}, ...). */
  message: z.unknown().default({}),
  /** `stream`: messages until `end_path` says done (or the server closes); `echo`: the first message back ends it. */
  mode: z.enum(['stream', 'echo']).default('stream'),
  /** Answer timeout; default 600 s. */
  timeout: durationMs.optional(),
  ...extractionFields,
  ...frameTargetFields,
});
export type WebSocketTarget = z.output<typeof websocketTargetSchema>;

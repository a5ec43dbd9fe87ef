import { defineProtocol } from '../descriptor.js';
import { websocketTargetSchema } from './schema.js';

export const websocketProtocol = defineProtocol({
  schema: websocketTargetSchema,
  summary: 'a WebSocket API: one templated message per request, the answer read as a stream (or one echo reply)',
  families: (t) => {
    if (t.frames) return [{ family: 'frames', streamed: t.mode !== 'echo' }];
    return t.mode === 'echo' ? [{ family: 'unary', streamed: false }] : [{ family: 'text', streamed: true }];
  },
  textual: (t) => t.mode !== 'echo' && !t.frames,
  textHint: '--content-path: a dotted path to the text in each message',
  impliedBy: /^wss?:/,
  example: `inferbench run --url ws://127.0.0.1:8000/ws/generate --request '{"prompt":"hi {{index}}","max_tokens":32}' --content-path token --end-path done -n 50`,
  create: async (target) => (await import('./client.js')).WebSocketClient.create(target),
});

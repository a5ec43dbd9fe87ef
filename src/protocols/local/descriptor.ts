import { defineProtocol } from '../descriptor.js';
import { localTargetSchema } from './schema.js';

export const localProtocol = defineProtocol({
  schema: localTargetSchema,
  summary: "a library's own functions in this process: generate, stream (callback), streamAsync (async iterator), predict (frames)",
  // The mode may be chosen from what the module exports, which is known once it is imported.
  families: (t) => {
    if (t.mode === 'predict') return [{ family: 'frames', streamed: false, inProcess: true }];
    if (t.mode === 'generate') return [{ family: 'text', streamed: false, inProcess: true }];
    if (t.mode) return [{ family: 'text', streamed: true, inProcess: true }];
    return [
      { family: 'text', streamed: true, inProcess: true },
      { family: 'text', streamed: false, inProcess: true },
      { family: 'frames', streamed: false, inProcess: true },
    ];
  },
  textual: (t) => t.mode !== 'predict',
  example: `inferbench run --module ./my-model.ts --mode stream --request '{"prompt":"hi"}' -n 50`,
  create: async (target) => (await import('./client.js')).LocalClient.create(target),
});

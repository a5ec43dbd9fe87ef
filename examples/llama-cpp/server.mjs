#!/usr/bin/env node
// A small OpenAI-compatible streaming server over a real llama.cpp engine (node-llama-cpp,
// CPU, the tiny model of make-model.mjs): POST /v1/chat/completions and /v1/completions with
// usage and a per-token write log (GET /write-log; the HTTP side and the log's format are
// ../openai-engine-server.mjs, which examples/onnxruntime/server.mjs shares).
//
//   node server.mjs [--port 8092] [--host 127.0.0.1] [--sequences 2] [--threads 1] [--log FILE]
//
// The model never emits EOS (make-model.mjs zeroes its logit), so every answer runs to
// max_tokens: ignore_eos and min_tokens are accepted and hold by construction.
import { parseArgs } from 'node:util';
import { serveOpenAI } from '../openai-engine-server.mjs';
import { loadEngine } from './engine.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8092' },
    host: { type: 'string', default: '127.0.0.1' },
    sequences: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1' },
    model: { type: 'string' },
    log: { type: 'string' },
  },
});

const MODEL_NAME = 'inferbench/tiny-llama';
const engine = await loadEngine({ modelPath: args.model, threads: Number(args.threads), sequences: Number(args.sequences) });

/** Free sequences, and requests waiting for one (first come, first served). */
const free = [...engine.slots];
const waiting = [];
function acquire() {
  if (free.length) return Promise.resolve(free.pop());
  return new Promise((resolve) => waiting.push(resolve));
}
function release(slot) {
  const next = waiting.shift();
  if (next) next(slot);
  else free.push(slot);
}

await serveOpenAI({
  label: 'llama.cpp OpenAI server',
  about: `${MODEL_NAME}, ${engine.slots.length} sequences, ${args.threads} thread`,
  modelName: MODEL_NAME,
  host: args.host,
  port: args.port,
  logFile: args.log,
  contextSize: engine.context.contextSize,
  countPromptTokens: (prompt) => engine.promptTokens(prompt).length,
  close: () => engine.close(),
  async generate({ prompt, maxTokens, signal, onStart, onToken }) {
    const slot = await acquire();
    try {
      await slot.sequence.clearHistory();
      onStart();
      await slot.completion.generateCompletion(prompt, {
        maxTokens,
        signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => onToken(engine.model.detokenize(tokens), tokens.length),
      });
    } finally {
      release(slot);
    }
  },
});

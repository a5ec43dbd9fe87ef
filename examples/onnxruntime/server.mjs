#!/usr/bin/env node
// A small OpenAI-compatible streaming server over onnxruntime-node (CPU) running the tiny
// recurrent model of make-model.mjs, loaded and decoded by model.mjs: the prompt's characters
// through the cell one session.run each, then one session.run per generated token, greedy.
// POST /v1/chat/completions and /v1/completions with usage and a per-token write log
// (GET /write-log; the HTTP side and the log's format are ../openai-engine-server.mjs, which
// examples/llama-cpp/server.mjs shares).
//
//   node server.mjs [--port 8093] [--host 127.0.0.1] [--log FILE]
//
// Requests decode concurrently on one session (onnxruntime's Run is thread-safe; each request
// keeps its own hidden state), interleaved a token at a time. The model has no EOS: every
// answer runs to max_tokens (ignore_eos and min_tokens hold by construction).
import { parseArgs } from 'node:util';
import { serveOpenAI } from '../openai-engine-server.mjs';
import { decode, promptTokens, setup, teardown } from './model.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8093' },
    host: { type: 'string', default: '127.0.0.1' },
    log: { type: 'string' },
  },
});

const MODEL_NAME = 'inferbench/tiny-rnn';
await setup();
// One decode before listening: onnxruntime's first run allocates what later runs reuse.
for await (const _ of decode(promptTokens('warm up'), 8));

await serveOpenAI({
  label: 'onnxruntime OpenAI server',
  about: `${MODEL_NAME}, 1 intra-op thread`,
  modelName: MODEL_NAME,
  host: args.host,
  port: args.port,
  logFile: args.log,
  countPromptTokens: (prompt) => promptTokens(prompt).length,
  close: teardown,
  async generate({ prompt, maxTokens, signal, onStart, onToken }) {
    onStart();
    for await (const ch of decode(promptTokens(prompt), maxTokens, signal)) onToken(ch, 1);
  },
});

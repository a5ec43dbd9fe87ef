#!/usr/bin/env node
// A small OpenAI-compatible streaming server over a real llama.cpp engine (node-llama-cpp,
// CPU, the tiny model of make-model.mjs): POST /v1/chat/completions and /v1/completions,
// framed as vLLM frames them (`data: {json}\n\n`, a role chunk first for chat, a finish chunk,
// a usage chunk with prompt and completion tokens when asked, `data: [DONE]`).
//
// It keeps a write log: for every request, when it arrived and, for every token it wrote,
// the monotonic time right before the write (performance.now(), ms) and the same instant as
// epoch ms (performance.timeOrigin + now). GET /write-log returns it as JSON
// ({ requests: [...] }), DELETE /write-log empties it, and --log FILE appends one NDJSON line
// per finished request. Each answer carries `x-inferbench-request-id`, the log's id.
//
//   node server.mjs [--port 8092] [--host 127.0.0.1] [--sequences 2] [--threads 1] [--log FILE]
//
// The model never emits EOS (make-model.mjs zeroes its logit), so every answer runs to
// max_tokens: ignore_eos and min_tokens are accepted and hold by construction.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
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

const DEFAULT_MAX_TOKENS = 64;
const MODEL_NAME = 'inferbench/tiny-llama';
const MAX_LOGGED_REQUESTS = 100_000;
const epochOf = (monotonicMs) => performance.timeOrigin + monotonicMs;

const engine = await loadEngine({ modelPath: args.model, threads: Number(args.threads), sequences: Number(args.sequences) });
const contextSize = engine.context.contextSize;

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

let nextId = 1;
const log = [];

class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function errorBody(status, message) {
  return { error: { message, type: status < 500 ? 'BadRequestError' : 'InternalServerError', param: null, code: status } };
}

async function readJson(req) {
  const parts = [];
  for await (const p of req) parts.push(p);
  try {
    const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch {
    throw new RequestError(400, 'request body must be a JSON object');
  }
}

const contentText = (content) =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => p?.text ?? '').join('') : '';

/** The prompt the engine sees: the completion prompt as sent, or the chat as "role: content" lines. */
function promptOf(body, endpoint) {
  if (endpoint === 'completions') {
    if (typeof body.prompt !== 'string') throw new RequestError(400, '"prompt" is required and must be a string');
    return body.prompt;
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new RequestError(400, '"messages" is required and must be a non-empty array');
  return `${body.messages.map((m) => `${m.role}: ${contentText(m.content)}`).join('\n')}\nassistant:`;
}

function positiveInt(value, field) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new RequestError(400, `"${field}" must be a whole number >= 1`);
  return value;
}

async function generation(req, res, endpoint) {
  const receivedMs = performance.now();
  const id = String(nextId++);
  const body = await readJson(req);
  const prompt = promptOf(body, endpoint);
  const maxTokens = positiveInt(body.max_completion_tokens, 'max_completion_tokens') ?? positiveInt(body.max_tokens, 'max_tokens') ?? DEFAULT_MAX_TOKENS;
  const minTokens = positiveInt(body.min_tokens, 'min_tokens') ?? 0;
  if (minTokens > maxTokens) throw new RequestError(400, `"min_tokens" (${minTokens}) must not exceed max_tokens (${maxTokens})`);
  const promptTokens = engine.promptTokens(prompt).length;
  if (promptTokens + maxTokens > contextSize) {
    throw new RequestError(400, `prompt (${promptTokens} tokens) + max_tokens (${maxTokens}) exceed the context of ${contextSize} tokens`);
  }
  const stream = body.stream === true;
  const includeUsage = stream && body.stream_options != null && body.stream_options.include_usage !== false;
  const record = { id, endpoint, receivedMs, receivedEpochMs: epochOf(receivedMs), promptTokens, completionTokens: 0, writes: [] };
  const created = Math.floor(Date.now() / 1000);
  const head = JSON.stringify({ id: `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${id}`, object: endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: MODEL_NAME }).slice(0, -1);
  const choice = (text, finish) =>
    endpoint === 'chat'
      ? `{"index":0,"delta":${text === undefined ? '{}' : JSON.stringify({ content: text })},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}`
      : `{"index":0,"text":${JSON.stringify(text ?? '')},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}`;
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());

  const slot = await acquire();
  let text = '';
  try {
    await slot.sequence.clearHistory();
    if (stream) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-inferbench-request-id': id });
    let first = true;
    await slot.completion.generateCompletion(prompt, {
      maxTokens,
      signal: aborted.signal,
      stopOnAbortSignal: true,
      onToken(tokens) {
        const piece = engine.model.detokenize(tokens);
        record.completionTokens += tokens.length;
        text += piece;
        if (!stream) return;
        let bytes = `data: ${head},"choices":[${choice(piece, null)}]}\n\n`;
        if (first && endpoint === 'chat') bytes = `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n${bytes}`;
        first = false;
        const atMs = performance.now();
        res.write(bytes);
        record.writes.push({ atMs, epochMs: epochOf(atMs), tokens: tokens.length, chars: piece.length });
      },
    });
  } finally {
    release(slot);
  }
  if (aborted.signal.aborted) return;
  const finishReason = 'length';
  const usage = { prompt_tokens: promptTokens, total_tokens: promptTokens + record.completionTokens, completion_tokens: record.completionTokens };
  if (stream) {
    let tail = `data: ${head},"choices":[${choice(undefined, finishReason)}]}\n\n`;
    if (includeUsage) tail += `data: ${head},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
    res.end(`${tail}data: [DONE]\n\n`);
  } else {
    const message = endpoint === 'chat' ? { message: { role: 'assistant', content: text } } : { text };
    const atMs = performance.now();
    sendJson(res, 200, { id: `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${id}`, object: endpoint === 'chat' ? 'chat.completion' : 'text_completion', created, model: MODEL_NAME, choices: [{ index: 0, ...message, logprobs: null, finish_reason: finishReason }], usage }, { 'x-inferbench-request-id': id });
    record.writes.push({ atMs, epochMs: epochOf(atMs), tokens: record.completionTokens, chars: text.length });
  }
  record.endMs = performance.now();
  log.push(record);
  if (log.length > MAX_LOGGED_REQUESTS) log.shift();
  if (args.log) appendFileSync(args.log, `${JSON.stringify(record)}\n`);
}

const server = createServer(async (req, res) => {
  try {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/v1/chat/completions') return await generation(req, res, 'chat');
    if (req.method === 'POST' && path === '/v1/completions') return await generation(req, res, 'completions');
    if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: MODEL_NAME, object: 'model', owned_by: 'inferbench' }] });
    if (req.method === 'GET' && path === '/write-log') return sendJson(res, 200, { requests: log });
    if (req.method === 'DELETE' && path === '/write-log') {
      log.length = 0;
      return sendJson(res, 200, { cleared: true });
    }
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
    throw new RequestError(404, `no route ${req.method} ${path}; use POST /v1/chat/completions or /v1/completions`);
  } catch (err) {
    const status = err instanceof RequestError ? err.status : 500;
    if (!res.headersSent) sendJson(res, status, errorBody(status, err.message));
    else res.end(`data: ${JSON.stringify(errorBody(status, err.message))}\n\ndata: [DONE]\n\n`);
  }
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  console.log(`llama.cpp OpenAI server listening on http://${args.host}:${port}/v1 (${MODEL_NAME}, ${engine.slots.length} sequences, ${args.threads} thread)`);
});
const stop = () => server.close(() => engine.close().then(() => process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

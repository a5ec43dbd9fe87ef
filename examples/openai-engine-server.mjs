// The OpenAI-compatible HTTP side that the engine examples' servers (llama-cpp/server.mjs,
// onnxruntime/server.mjs) share: POST /v1/chat/completions and /v1/completions, framed as vLLM
// frames them (`data: {json}\n\n`, a role chunk first for chat, a finish chunk, a usage chunk
// with prompt and completion tokens when `stream_options.include_usage` asks, `data: [DONE]`),
// or whole when not streamed. Node built-ins only, so each example installs just its engine.
//
// The write log: for every request, when it arrived and, for every token it wrote, the
// monotonic time right before the write (performance.now(), ms) and the same instant as epoch
// ms (performance.timeOrigin + now). GET /write-log returns it as JSON ({ requests: [...] }),
// DELETE /write-log empties it, and `logFile` gets one NDJSON line per finished request. Each
// answer carries `x-inferbench-request-id`, the log's id. A record:
//   { id, endpoint, receivedMs, receivedEpochMs, promptTokens, completionTokens, endMs,
//     writes: [{ atMs, epochMs, tokens, chars }] }        (one write per token streamed)
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const MAX_LOGGED_REQUESTS = 100_000;
const epochOf = (monotonicMs) => performance.timeOrigin + monotonicMs;

export class RequestError extends Error {
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

/**
 * Serves an engine over HTTP. The engine gives:
 *   countPromptTokens(prompt)   the prompt's tokens as the engine evaluates them (usage's prompt_tokens)
 *   contextSize                 optional: prompt + max_tokens beyond it is a 400
 *   generate({ prompt, maxTokens, signal, onStart, onToken })
 *       runs to maxTokens (or until signal aborts); calls onStart() once it holds the compute
 *       (headers go out then) and onToken(text, tokenCount) for every token it produces.
 * Resolves with the listening http.Server once it prints "<label> listening on http://host:port/v1 (<about>)".
 */
export function serveOpenAI({ label, about, modelName, host, port, logFile, defaultMaxTokens = 64, contextSize, countPromptTokens, generate, close = async () => {} }) {
  let nextId = 1;
  const log = [];

  async function generation(req, res, endpoint) {
    const receivedMs = performance.now();
    const id = String(nextId++);
    const body = await readJson(req);
    const prompt = promptOf(body, endpoint);
    const maxTokens = positiveInt(body.max_completion_tokens, 'max_completion_tokens') ?? positiveInt(body.max_tokens, 'max_tokens') ?? defaultMaxTokens;
    const minTokens = positiveInt(body.min_tokens, 'min_tokens') ?? 0;
    if (minTokens > maxTokens) throw new RequestError(400, `"min_tokens" (${minTokens}) must not exceed max_tokens (${maxTokens})`);
    const promptTokens = countPromptTokens(prompt);
    if (contextSize !== undefined && promptTokens + maxTokens > contextSize) {
      throw new RequestError(400, `prompt (${promptTokens} tokens) + max_tokens (${maxTokens}) exceed the context of ${contextSize} tokens`);
    }
    const stream = body.stream === true;
    const includeUsage = stream && body.stream_options != null && body.stream_options.include_usage !== false;
    const record = { id, endpoint, receivedMs, receivedEpochMs: epochOf(receivedMs), promptTokens, completionTokens: 0, writes: [] };
    const created = Math.floor(Date.now() / 1000);
    const responseId = `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${id}`;
    const head = JSON.stringify({ id: responseId, object: endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: modelName }).slice(0, -1);
    const choice = (text, finish) =>
      endpoint === 'chat'
        ? `{"index":0,"delta":${text === undefined ? '{}' : JSON.stringify({ content: text })},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}`
        : `{"index":0,"text":${JSON.stringify(text ?? '')},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}`;
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());

    let text = '';
    let first = true;
    const onStart = () => {
      if (stream && !res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-inferbench-request-id': id });
    };
    const onToken = (piece, tokens = 1) => {
      record.completionTokens += tokens;
      text += piece;
      if (!stream) return;
      onStart();
      let bytes = `data: ${head},"choices":[${choice(piece, null)}]}\n\n`;
      if (first && endpoint === 'chat') bytes = `data: ${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n${bytes}`;
      first = false;
      const atMs = performance.now();
      res.write(bytes);
      record.writes.push({ atMs, epochMs: epochOf(atMs), tokens, chars: piece.length });
    };
    await generate({ prompt, maxTokens, signal: aborted.signal, onStart, onToken });
    if (aborted.signal.aborted) return;
    // The examples' models never emit EOS: every answer runs to max_tokens.
    const finishReason = 'length';
    const usage = { prompt_tokens: promptTokens, total_tokens: promptTokens + record.completionTokens, completion_tokens: record.completionTokens };
    if (stream) {
      onStart();
      let tail = `data: ${head},"choices":[${choice(undefined, finishReason)}]}\n\n`;
      if (includeUsage) tail += `data: ${head},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
      res.end(`${tail}data: [DONE]\n\n`);
    } else {
      const message = endpoint === 'chat' ? { message: { role: 'assistant', content: text } } : { text };
      const atMs = performance.now();
      sendJson(res, 200, { id: responseId, object: endpoint === 'chat' ? 'chat.completion' : 'text_completion', created, model: modelName, choices: [{ index: 0, ...message, logprobs: null, finish_reason: finishReason }], usage }, { 'x-inferbench-request-id': id });
      record.writes.push({ atMs, epochMs: epochOf(atMs), tokens: record.completionTokens, chars: text.length });
    }
    record.endMs = performance.now();
    log.push(record);
    if (log.length > MAX_LOGGED_REQUESTS) log.shift();
    if (logFile) appendFileSync(logFile, `${JSON.stringify(record)}\n`);
  }

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'POST' && path === '/v1/chat/completions') return await generation(req, res, 'chat');
      if (req.method === 'POST' && path === '/v1/completions') return await generation(req, res, 'completions');
      if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', owned_by: 'inferbench' }] });
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

  const stop = () => server.close(() => close().then(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise((resolve) =>
    server.listen(Number(port), host, () => {
      console.log(`${label} listening on http://${host}:${server.address().port}/v1 (${about})`);
      resolve(server);
    }),
  );
}

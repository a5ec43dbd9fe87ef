import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { NdjsonReader } from '../wire/ndjson-reader.js';
import type { OllamaTarget } from './schema.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';
import type { Timeline } from '../../model/timeline.js';
import { completionPrompt, sendTextRequest } from '../llm-request.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import { streamConsumer, type StreamState } from '../wire/stream-consumer.js';

type Api = 'generate' | 'chat';

interface OllamaChunk {
  response?: string;
  message?: { content?: string; thinking?: string };
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  error?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

/**
 * Ollama's `/api/generate` and `/api/chat`: NDJSON, not SSE. Output tokens
 * from the final line's `eval_count`; the server's own durations (integer ns) are reported
 * beside ours as `server_*` metrics in ms (absent ones are zero: Go's omitempty).
 */
export class OllamaClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private readonly api: Api;
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: OllamaTarget,
    ctx: ClientContext,
  ) {
    const base = target.url.replace(/\/+$/, '');
    const fromUrl = /\/api\/(generate|chat)$/.exec(base)?.[1] as Api | undefined;
    const api = target.api ?? fromUrl ?? 'generate';
    const options: Record<string, unknown> = { ...target.options };
    if (target.num_predict !== undefined) options.num_predict = target.num_predict;
    const body: Record<string, unknown> = { model: target.model };
    if (api === 'chat') body.messages = target.messages ?? [{ role: 'user', content: target.prompt }];
    else body.prompt = target.prompt;
    if (Object.keys(options).length) body.options = options;
    body.stream = target.stream;
    super({ url: fromUrl ? base : `${base}/api/${api}`, method: 'POST', headers: target.headers, body, streamed: target.stream, timeoutMs: target.timeout }, ctx);
    this.api = api;
    this.debug = ctx.debug;
    this.family = { family: 'text', streamed: target.stream };
  }

  /** A generated request: its messages (or text), its length as num_predict (Ollama has no ignore_eos). */
  override send(input: RequestInput): Promise<Timeline> {
    const req = this.requestFor(input);
    const apply = (body: Record<string, unknown>, llm: NonNullable<RequestInput['llm']>) => {
      if (llm.messages && this.api === 'chat') body.messages = llm.messages;
      else if (llm.messages) body.prompt = completionPrompt(llm);
      if (llm.maxTokens !== undefined) body.options = { ...(body.options as object), num_predict: llm.maxTokens };
    };
    return sendTextRequest(input, req, apply, (sent) => this.exchange(input, sent));
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    return this.target.stream
      ? ollamaStreamConsumer(tl, this.api, this.debug, input.index)
      : unaryJsonConsumer(tl, (json: OllamaChunk) => {
          recordServerDurations(tl, json);
          if (typeof json.prompt_eval_count === 'number') tl.t.usageInputTokens = json.prompt_eval_count;
          return { text: textOf(json, this.api), usageTokens: json.eval_count };
        });
  }
}

function textOf(chunk: OllamaChunk, api: Api): string {
  return (api === 'chat' ? chunk.message?.content : chunk.response) ?? '';
}

const NS_PER_MS = 1e6;

/** The final line's metrics, as ms metrics of their own (Ollama's numbers, not ours). */
function recordServerDurations(tl: TimelineBuilder, last: OllamaChunk): void {
  const ms = (ns: number | undefined) => (ns ?? 0) / NS_PER_MS;
  if (last.total_duration !== undefined) tl.extra('server_total_duration', ms(last.total_duration));
  tl.extra('server_load_duration', ms(last.load_duration));
  tl.extra('server_prompt_eval_duration', ms(last.prompt_eval_duration));
  // server-side TTFT ≈ load + prompt evaluation.
  tl.extra('server_ttft', ms(last.load_duration) + ms(last.prompt_eval_duration));
  if (last.eval_duration) {
    tl.extra('server_eval_duration', ms(last.eval_duration));
    if (last.eval_count) tl.extra('server_decode_tokens_per_s', (last.eval_count / last.eval_duration) * 1e9);
  }
}

function ollamaStreamConsumer(tl: TimelineBuilder, api: Api, debug: ProtocolDebugSink | undefined, index: number): BodyConsumer {
  const tap = debugLineTap(debug, index);
  const state: StreamState = { done: false };
  const reader = new NdjsonReader((line, atMs) => {
    if (state.done || state.failure) return;
    let chunk: OllamaChunk;
    try {
      chunk = JSON.parse(line) as OllamaChunk;
    } catch {
      state.failure = `invalid JSON line: ${line.slice(0, 200)}`;
      return;
    }
    if (chunk.error !== undefined) {
      state.failure = `server error mid-stream: ${chunk.error}`;
      return;
    }
    const text = textOf(chunk, api);
    if (text) tl.text(text, 1, atMs);
    else tl.event(atMs);
    if (chunk.done) {
      state.done = true;
      if (typeof chunk.eval_count === 'number') tl.t.usageTokens = chunk.eval_count;
      // Absent means 0 (omitempty; a full prompt-cache hit).
      tl.t.usageInputTokens = chunk.prompt_eval_count ?? 0;
      recordServerDurations(tl, chunk);
    }
  });
  return streamConsumer(reader, state, { tap, endedEarly: 'stream ended before the line with "done":true' });
}

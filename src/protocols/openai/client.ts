import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { errorMessageOf, type BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import type { OpenAITarget } from './schema.js';
import { SseScanner } from '../wire/sse.js';
import { JsonTextLayout } from '../wire/json-text-layout.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import type { Timeline } from '../../model/timeline.js';
import type { LlmRequest, RequestInput } from '../types.js';
import { completionPrompt, sendTextRequest } from '../llm-request.js';

type Api = 'chat' | 'completions';

/**
 * OpenAI-compatible chat and completions. A role-only or empty chunk is an
 * event, not content, so it sets `first_event` but never `ttft`. Output tokens come from the
 * final usage chunk when the server sends one; `token_ids` (vLLM) tell how many tokens a
 * chunk packs.
 */
export class OpenAIClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private readonly api: Api;

  constructor(
    private readonly target: OpenAITarget,
    ctx: Pick<ClientContext, 'maxConcurrency'>,
  ) {
    const api = openaiApiOf(target);
    super({ url: target.url, method: 'POST', headers: target.headers, body: requestBody(target, api), accept: target.stream ? 'text/event-stream' : undefined, streamed: target.stream, timeoutMs: target.timeout }, ctx);
    this.api = api;
    this.family = { family: 'text', streamed: target.stream };
  }

  override send(input: RequestInput): Promise<Timeline> {
    const req = this.requestFor(input);
    return sendTextRequest(input, req, (body, llm) => applyLlmRequest(body, llm, this.api, this.target), (sent) => this.exchange(input, sent));
  }

  protected consumer(tl: TimelineBuilder): BodyConsumer {
    return this.target.stream ? streamConsumer(tl, this.api, this.target.count_reasoning) : unaryConsumer(tl, this.api);
  }
}

/**
 * A generated request replaces the target's prompt and output limit. A fixed output length
 * asks vLLM-style servers to hold it with `ignore_eos` and `min_tokens` (our reference server
 * honours both); `ignore_eos: false` in the target turns that off for servers that reject them.
 */
function applyLlmRequest(body: Record<string, unknown>, llm: LlmRequest, api: Api, target: OpenAITarget): void {
  if (llm.messages) {
    if (api === 'chat') body.messages = llm.messages;
    else body.prompt = completionPrompt(llm);
  }
  if (llm.maxTokens !== undefined) {
    body.max_tokens = llm.maxTokens;
    if (llm.fixedOutput && target.ignore_eos !== false) {
      body.ignore_eos = true;
      body.min_tokens = llm.maxTokens;
    }
  }
}

/** `chat` or `completions`: the target's own choice, else what its URL ends in. */
export function openaiApiOf(target: Pick<OpenAITarget, 'api' | 'url'>): Api {
  return target.api ?? (new URL(target.url).pathname.endsWith('/chat/completions') ? 'chat' : 'completions');
}

function requestBody(target: OpenAITarget, api: Api): Record<string, unknown> {
  const body: Record<string, unknown> = { model: target.model };
  if (api === 'chat') body.messages = target.messages ?? [{ role: 'user', content: target.prompt }];
  else body.prompt = target.prompt;
  if (target.max_tokens !== undefined) body.max_tokens = target.max_tokens;
  if (target.temperature !== undefined) body.temperature = target.temperature;
  if (target.ignore_eos !== undefined) body.ignore_eos = target.ignore_eos;
  body.stream = target.stream;
  if (target.stream && target.include_usage) body.stream_options = { include_usage: true };
  return { ...body, ...target.extra_body };
}

interface Choice {
  delta?: { content?: string | null; reasoning?: string | null; reasoning_content?: string | null };
  text?: string | null;
  message?: { content?: string | null };
  finish_reason?: string | null;
  token_ids?: number[] | null;
}

interface Chunk {
  choices?: Choice[];
  usage?: { completion_tokens?: number; prompt_tokens?: number } | null;
  error?: unknown;
}

function streamConsumer(tl: TimelineBuilder, api: Api, countReasoning: boolean): BodyConsumer {
  let done = false;
  let finished = false;
  let failure: string | undefined;
  // Content chunks within one stream differ only in their text: read those without JSON.parse (wire/json-text-layout.ts).
  const layout = new JsonTextLayout();
  let layoutUnits = 1;
  const locate = api === 'chat' ? (c: unknown) => (c as Chunk).choices?.[0]?.delta?.content : (c: unknown) => (c as Chunk).choices?.[0]?.text;
  const onDataAt = (text: string, start: number, end: number, atMs: number) => {
    if (done || failure) return true;
    const fast = layout.matchAt(text, start, end);
    if (fast === undefined) return false;
    tl.text(fast, layoutUnits, atMs);
    return true;
  };
  // The same on bytes, before any decoding: a matched event's text is copied as UTF-8 into the timeline's store.
  const onDataBytes = (buf: Buffer, start: number, end: number, atMs: number) => {
    if (done || failure) return true;
    const chars = layout.matchBytes(buf, start, end);
    if (chars < 0) return false;
    tl.textBytes(buf, start + layout.prefixLength, end - layout.suffixLength, chars, layoutUnits, atMs);
    return true;
  };
  const reader = new SseScanner((data, type, _id, atMs) => {
    if (done || failure) return;
    if (type === undefined) {
      const fast = layout.match(data);
      if (fast !== undefined) return tl.text(fast, layoutUnits, atMs);
    }
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      failure = `invalid JSON in stream event: ${data.slice(0, 200)}`;
      return;
    }
    if (type === 'error' || chunk.error) {
      failure = `server error mid-stream: ${errorMessageOf(JSON.stringify({ error: chunk.error ?? chunk }))}`;
      return;
    }
    if (chunk.usage && typeof chunk.usage.completion_tokens === 'number') tl.t.usageTokens = chunk.usage.completion_tokens;
    if (chunk.usage && typeof chunk.usage.prompt_tokens === 'number') tl.t.usageInputTokens = chunk.usage.prompt_tokens;
    const choice = chunk.choices?.[0];
    if (!choice) return tl.event(atMs);
    const own = (api === 'chat' ? choice.delta?.content : choice.text) ?? '';
    const reasoning = api === 'chat' && countReasoning ? (choice.delta?.reasoning ?? choice.delta?.reasoning_content ?? '') : '';
    const text = own + reasoning;
    if (choice.finish_reason) finished = true;
    if (text.length === 0) return tl.event(atMs);
    const units = choice.token_ids?.length || 1;
    tl.text(text, units, atMs);
    // An event whose only effect is its text is the layout later events can match.
    if (type === undefined && !chunk.usage && !choice.finish_reason && reasoning === '' && typeof own === 'string') {
      if (layout.learn(data, own, locate)) layoutUnits = units;
    }
  }, undefined, onDataAt, onDataBytes);
  return {
    chunk(data, atMs) {
      reader.feed(data, atMs);
      return done || failure !== undefined;
    },
    chunkRange(buf, start, end, atMs) {
      reader.feed(buf, atMs, start, end);
      return done || failure !== undefined;
    },
    end(atMs) {
      reader.end(atMs);
      if (failure) return { outcome: 'protocol_error', error: failure };
      if (!done && !finished) return { outcome: 'protocol_error', error: 'stream ended before [DONE] or a finish_reason' };
      return { outcome: 'ok' };
    },
  };
}

function unaryConsumer(tl: TimelineBuilder, api: Api): BodyConsumer {
  return unaryJsonConsumer<Chunk>(tl, (body) => {
    const choice = body.choices?.[0];
    if (typeof body.usage?.prompt_tokens === 'number') tl.t.usageInputTokens = body.usage.prompt_tokens;
    return { text: (api === 'chat' ? choice?.message?.content : choice?.text) ?? '', usageTokens: body.usage?.completion_tokens };
  });
}

import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import type { OpenAIResponsesTarget } from './schema.js';
import { SseReader } from '../wire/sse.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import { streamConsumer, type StreamState } from '../wire/stream-consumer.js';

interface ResponsesEvent {
  type?: string;
  delta?: string;
  message?: string;
  code?: string | null;
  response?: {
    usage?: { output_tokens?: number; input_tokens?: number } | null;
    error?: { message?: string } | null;
    incomplete_details?: { reason?: string } | null;
    output?: { content?: { text?: string }[] }[];
  };
}

const TEXT_DELTA = 'response.output_text.delta';
const REASONING_DELTAS = new Set(['response.reasoning_text.delta', 'response.reasoning_summary_text.delta']);

/**
 * The Responses API stream: content from `response.output_text.delta`
 * (and reasoning deltas unless told not to), output tokens from `response.completed`'s usage;
 * `response.failed`, `response.incomplete` and `error` end the request as protocol errors with
 * the server's message. A trailing `[DONE]` is accepted.
 */
export class OpenAIResponsesClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: OpenAIResponsesTarget,
    ctx: ClientContext,
  ) {
    const base = target.url.replace(/\/+$/, '');
    const body: Record<string, unknown> = { model: target.model, input: target.input };
    if (target.instructions !== undefined) body.instructions = target.instructions;
    if (target.max_output_tokens !== undefined) body.max_output_tokens = target.max_output_tokens;
    body.stream = target.stream;
    super(
      { url: base.endsWith('/responses') ? base : `${base}/v1/responses`, method: 'POST', headers: target.headers, body: { ...body, ...target.extra_body }, streamed: target.stream, timeoutMs: target.timeout },
      ctx,
    );
    this.debug = ctx.debug;
    this.family = { family: 'text', streamed: target.stream };
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    return this.target.stream
      ? responsesStreamConsumer(tl, this.target.count_reasoning, this.debug, input.index)
      : unaryJsonConsumer(tl, (json: NonNullable<ResponsesEvent['response']>) => {
          if (typeof json.usage?.input_tokens === 'number') tl.t.usageInputTokens = json.usage.input_tokens;
          return { text: json.output?.flatMap((item) => item.content ?? []).map((part) => part.text ?? '').join(''), usageTokens: json.usage?.output_tokens };
        });
  }
}

function responsesStreamConsumer(tl: TimelineBuilder, countReasoning: boolean, debug: ProtocolDebugSink | undefined, index: number): BodyConsumer {
  const tap = debugLineTap(debug, index);
  const state: StreamState = { done: false };
  const reader = new SseReader((event, atMs) => {
    if (state.done || state.failure) return;
    if (event.data === '[DONE]') {
      state.done = true;
      return;
    }
    let json: ResponsesEvent;
    try {
      json = JSON.parse(event.data) as ResponsesEvent;
    } catch {
      state.failure = `invalid JSON in stream event: ${event.data.slice(0, 200)}`;
      return;
    }
    const type = json.type ?? event.event;
    if (type === 'error') {
      state.failure = `server error mid-stream${json.code ? ` (${json.code})` : ''}: ${json.message ?? event.data.slice(0, 200)}`;
      return;
    }
    if (type === 'response.failed') {
      state.failure = `response.failed: ${json.response?.error?.message ?? 'no message'}`;
      return;
    }
    if (type === 'response.incomplete') {
      state.failure = `response.incomplete: ${json.response?.incomplete_details?.reason ?? 'no reason given'}`;
      return;
    }
    const isText = type === TEXT_DELTA || (countReasoning && type !== undefined && REASONING_DELTAS.has(type));
    if (isText && json.delta) tl.text(json.delta, 1, atMs);
    else tl.event(atMs);
    if (type === 'response.completed') {
      state.done = true;
      const tokens = json.response?.usage?.output_tokens;
      if (typeof tokens === 'number') tl.t.usageTokens = tokens;
      const inputTokens = json.response?.usage?.input_tokens;
      if (typeof inputTokens === 'number') tl.t.usageInputTokens = inputTokens;
    }
  });
  return streamConsumer(reader, state, { tap, endedEarly: 'stream ended before response.completed' });
}

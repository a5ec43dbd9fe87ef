import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { SseReader } from '../wire/sse.js';
import type { TgiTarget } from './schema.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';
import type { Timeline } from '../../model/timeline.js';
import { completionPrompt, sendTextRequest } from '../llm-request.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import { streamConsumer, type StreamState } from '../wire/stream-consumer.js';

interface TgiEvent {
  token?: { text?: string; special?: boolean };
  generated_text?: string | null;
  details?: { generated_tokens?: number; input_length?: number } | null;
  error?: string;
  error_type?: string;
}

/**
 * TGI's `/generate_stream` and `/generate`. One SSE event per token
 * (`data:` with or without a space: both TGI framings), `:` keep-alives skipped, the last
 * event carrying `generated_text`. Errors come as `{"error","error_type"}` events on a 200.
 * Output tokens: TGI streams exactly one token per event, so the non-special token events
 * are the count (`details.generated_tokens` also counts the EOS token).
 */
export class TgiClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private readonly streaming: boolean;

  constructor(
    target: TgiTarget,
    ctx: ClientContext,
  ) {
    const url = tgiUrl(target);
    const parameters: Record<string, unknown> = { details: true, ...target.parameters };
    if (target.max_new_tokens !== undefined) parameters.max_new_tokens = target.max_new_tokens;
    const streaming = url.endsWith('/generate_stream');
    super({ url, method: 'POST', headers: target.headers, body: { inputs: target.prompt, parameters }, streamed: streaming, timeoutMs: target.timeout }, ctx);
    this.streaming = streaming;
    this.debug = ctx.debug;
    this.family = { family: 'text', streamed: streaming };
  }

  private readonly debug: ProtocolDebugSink | undefined;

  /** A generated request: its text as `inputs`, its length as max_new_tokens (TGI has no ignore_eos). */
  override send(input: RequestInput): Promise<Timeline> {
    const req = this.requestFor(input);
    const apply = (body: Record<string, unknown>, llm: NonNullable<RequestInput['llm']>) => {
      if (llm.messages) body.inputs = completionPrompt(llm);
      if (llm.maxTokens !== undefined) body.parameters = { ...(body.parameters as object), max_new_tokens: llm.maxTokens };
    };
    return sendTextRequest(input, req, apply, (sent) => this.exchange(input, sent));
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    return this.streaming
      ? tgiStreamConsumer(tl, this.debug, input.index)
      : unaryJsonConsumer(tl, (json: { generated_text?: string; details?: { generated_tokens?: number; input_length?: number } }) => {
          if (typeof json.details?.input_length === 'number') tl.t.usageInputTokens = json.details.input_length;
          return { text: json.generated_text, usageTokens: json.details?.generated_tokens };
        });
  }
}

/** `/generate_stream` or `/generate` appended to the base URL unless it already ends in one. */
function tgiUrl(target: TgiTarget): string {
  const base = target.url.replace(/\/+$/, '');
  return /\/generate(_stream)?$/.test(base) ? base : `${base}/${target.stream ? 'generate_stream' : 'generate'}`;
}

function tgiStreamConsumer(tl: TimelineBuilder, debug: ProtocolDebugSink | undefined, index: number): BodyConsumer {
  const tap = debugLineTap(debug, index);
  const state: StreamState = { done: false };
  let tokens = 0;
  const reader = new SseReader((event, atMs) => {
    if (state.done || state.failure) return;
    let json: TgiEvent;
    try {
      json = JSON.parse(event.data) as TgiEvent;
    } catch {
      state.failure = `invalid JSON in stream event: ${event.data.slice(0, 200)}`;
      return;
    }
    if (json.error !== undefined) {
      state.failure = `server error mid-stream${json.error_type ? ` (${json.error_type})` : ''}: ${json.error}`;
      return;
    }
    const text = json.token?.special ? '' : (json.token?.text ?? '');
    if (json.token && !json.token.special) tokens++;
    if (text) tl.text(text, 1, atMs);
    else tl.event(atMs);
    if (typeof json.details?.input_length === 'number') tl.t.usageInputTokens = json.details.input_length;
    if (json.generated_text !== null && json.generated_text !== undefined) state.done = true;
  });
  return streamConsumer(reader, state, {
    tap,
    endedEarly: 'stream ended before the final event (the one with generated_text)',
    onOk: () => {
      tl.t.usageTokens = tokens;
    },
  });
}

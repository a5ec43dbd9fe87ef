import type { Dispatcher } from 'undici';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import { debugLineTap } from '../wire/debug-tap.js';
import { hasHeader } from '../http/client.js';
import { createDispatcher, httpExchange, type BodyConsumer } from '../wire/http-exchange.js';
import { SseReader } from '../wire/sse.js';
import type { TgiTarget } from './schema.js';
import { completionPrompt } from '../llm-request.js';
import type { ProtocolClient, ProtocolDebugSink, RequestInput } from '../types.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import { streamConsumer, type StreamState } from '../wire/stream-consumer.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

interface TgiEvent {
  token?: { text?: string; special?: boolean };
  generated_text?: string | null;
  details?: { generated_tokens?: number; input_length?: number } | null;
  error?: string;
  error_type?: string;
}

/**
 * TGI's `/generate_stream` and `/generate` (PROTOCOLS.md §3). One SSE event per token
 * (`data:` with or without a space: both TGI framings), `:` keep-alives skipped, the last
 * event carrying `generated_text`. Errors come as `{"error","error_type"}` events on a 200.
 * Output tokens: TGI streams exactly one token per event, so the non-special token events
 * are the count (`details.generated_tokens` also counts the EOS token).
 */
export class TgiClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher = createDispatcher();
  private readonly url: string;
  private readonly renderBody: CompiledTemplate;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: TgiTarget,
    private readonly debug?: ProtocolDebugSink,
  ) {
    const base = target.url.replace(/\/+$/, '');
    this.url = /\/generate(_stream)?$/.test(base) ? base : `${base}/${target.stream ? 'generate_stream' : 'generate'}`;
    const parameters: Record<string, unknown> = { details: true, ...target.parameters };
    if (target.max_new_tokens !== undefined) parameters.max_new_tokens = target.max_new_tokens;
    this.renderBody = compileTemplate({ inputs: target.prompt, parameters });
    this.headers = { ...target.headers };
    if (!hasHeader(this.headers, 'content-type')) this.headers['content-type'] = 'application/json';
    this.timeoutMs = requestTimeoutMs(target.timeout, this.url.endsWith('_stream'));
  }

  async send(input: RequestInput): Promise<Timeline> {
    const fields = this.renderBody(input.vars) as { inputs: unknown; parameters: Record<string, unknown> };
    // A generated request: its text as `inputs`, its length as max_new_tokens (TGI has no ignore_eos).
    if (input.llm) {
      if (input.llm.messages) fields.inputs = completionPrompt(input.llm);
      if (input.llm.maxTokens !== undefined) fields.parameters = { ...fields.parameters, max_new_tokens: input.llm.maxTokens };
    }
    const body = JSON.stringify(fields);
    const streaming = this.url.endsWith('/generate_stream');
    const t = await httpExchange(this.dispatcher, { url: this.url, method: 'POST', headers: this.headers, body, timeoutMs: this.timeoutMs }, input, (tl) =>
      streaming
        ? tgiStreamConsumer(tl, this.debug, input.index)
        : unaryJsonConsumer(tl, (json: { generated_text?: string; details?: { generated_tokens?: number; input_length?: number } }) => {
            if (typeof json.details?.input_length === 'number') tl.t.usageInputTokens = json.details.input_length;
            return { text: json.generated_text, usageTokens: json.details?.generated_tokens };
          }),
    );
    if (typeof fields.inputs === 'string') t.prompt = fields.inputs;
    if (input.llm?.turn !== undefined) t.turn = input.llm.turn;
    return t;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
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
    if (text) tl.content(text, 1, atMs);
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

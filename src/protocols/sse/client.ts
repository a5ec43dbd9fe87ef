import type { Dispatcher } from 'undici';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { SseTarget } from './schema.js';
import { hasHeader } from '../http/client.js';
import { createDispatcher, httpExchange, type BodyConsumer } from '../wire/http-exchange.js';
import { JsonStreamState } from '../wire/json-stream-rules.js';
import { SseReader } from '../wire/sse.js';
import type { ProtocolClient, ProtocolDebugSink, RequestInput } from '../types.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

/** Renders a templated body: JSON values are sent as JSON, strings as they are. */
export function bodyRenderer(body: unknown): ((vars: RequestInput['vars']) => string | undefined) | undefined {
  if (body === undefined) return undefined;
  const compiled: CompiledTemplate = compileTemplate(body);
  return typeof body === 'string' ? (vars) => String(compiled(vars)) : (vars) => JSON.stringify(compiled(vars));
}

/**
 * Any SSE stream of JSON events (PROTOCOLS.md §6): the user says which event type carries
 * content, where the text, usage and end are, and which data payload ends the stream.
 * An `event: error` or a value at `error_path` is a protocol error with the server's message.
 */
export class GenericSseClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher = createDispatcher();
  private readonly renderBody;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: SseTarget,
    private readonly debug?: ProtocolDebugSink,
  ) {
    this.renderBody = bodyRenderer(target.body);
    this.headers = { ...target.headers };
    if (target.body !== undefined && !hasHeader(this.headers, 'content-type')) this.headers['content-type'] = typeof target.body === 'string' ? 'text/plain' : 'application/json';
    if (!hasHeader(this.headers, 'accept')) this.headers.accept = 'text/event-stream';
    this.timeoutMs = requestTimeoutMs(target.timeout, true);
  }

  send(input: RequestInput): Promise<Timeline> {
    const body = this.renderBody?.(input.vars);
    const spec = { url: this.target.url, method: this.target.method, headers: this.headers, body, timeoutMs: this.timeoutMs };
    return httpExchange(this.dispatcher, spec, input, (tl) => this.consumer(tl, input.index));
  }

  private consumer(tl: TimelineBuilder, index: number): BodyConsumer {
    const { target } = this;
    const state = new JsonStreamState(tl, target);
    const tap = debugLineTap(this.debug, index);
    let ended = false;
    const reader = new SseReader((event, atMs) => {
      if (ended || state.done || state.failure) return;
      if (event.data === target.done_data) {
        ended = true;
        return;
      }
      if (event.event === 'error') {
        state.failure = `server error event: ${event.data.slice(0, 300)}`;
        return;
      }
      state.onJson(event.data, atMs, target.event === undefined || event.event === target.event);
      if (target.end_event !== undefined && event.event === target.end_event) ended = true;
    });
    return {
      chunk(data, atMs) {
        tap?.feed(data, atMs);
        reader.feed(data, atMs);
        return ended || state.done || state.failure !== undefined;
      },
      end(atMs) {
        tap?.end(atMs);
        reader.end(atMs);
        if (state.failure) return state.verdict();
        if (ended) return { outcome: 'ok' };
        if (target.end_event !== undefined && !state.done) return { outcome: 'protocol_error', error: `stream ended before the "${target.end_event}" event` };
        return state.verdict();
      },
    };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

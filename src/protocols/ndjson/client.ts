import type { Dispatcher } from 'undici';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { debugLineTap } from '../wire/debug-tap.js';
import { bodyRenderer } from '../sse/client.js';
import { hasHeader } from '../http/client.js';
import { createDispatcher, httpExchange, type BodyConsumer } from '../wire/http-exchange.js';
import { JsonStreamState } from '../wire/json-stream-rules.js';
import type { NdjsonTarget } from './schema.js';
import { NdjsonReader } from '../wire/ndjson-reader.js';
import type { ProtocolClient, ProtocolDebugSink, RequestInput } from '../types.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

/** Any newline-delimited JSON stream: the user says where the text, usage and end are. */
export class NdjsonClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher = createDispatcher();
  private readonly renderBody;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: NdjsonTarget,
    private readonly debug?: ProtocolDebugSink,
  ) {
    this.renderBody = bodyRenderer(target.body);
    this.headers = { ...target.headers };
    if (target.body !== undefined && !hasHeader(this.headers, 'content-type')) this.headers['content-type'] = typeof target.body === 'string' ? 'text/plain' : 'application/json';
    this.timeoutMs = requestTimeoutMs(target.timeout, true);
  }

  send(input: RequestInput): Promise<Timeline> {
    const body = this.renderBody?.(input.vars);
    const spec = { url: this.target.url, method: this.target.method, headers: this.headers, body, timeoutMs: this.timeoutMs };
    return httpExchange(this.dispatcher, spec, input, (tl) => this.consumer(tl, input.index));
  }

  private consumer(tl: TimelineBuilder, index: number): BodyConsumer {
    const state = new JsonStreamState(tl, this.target);
    const tap = debugLineTap(this.debug, index);
    const reader = new NdjsonReader((line, atMs) => state.onJson(line, atMs));
    return {
      chunk(data, atMs) {
        tap?.feed(data, atMs);
        reader.feed(data, atMs);
        return state.done || state.failure !== undefined;
      },
      end(atMs) {
        tap?.end(atMs);
        reader.end(atMs);
        return state.verdict();
      },
    };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

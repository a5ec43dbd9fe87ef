import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { SseTarget } from './schema.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { JsonStreamState } from '../wire/json-stream-rules.js';
import { SseReader } from '../wire/sse.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';

/**
 * Any SSE stream of JSON events: the user says which event type carries
 * content, where the text, usage and end are, and which data payload ends the stream.
 * An `event: error` or a value at `error_path` is a protocol error with the server's message.
 */
export class GenericSseClient extends HttpProtocolClient {
  readonly family: FamilyOf = { family: 'text', streamed: true };
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: SseTarget,
    ctx: ClientContext,
  ) {
    super({ url: target.url, method: target.method, headers: target.headers, body: target.body, accept: 'text/event-stream', streamed: true, timeoutMs: target.timeout }, ctx);
    this.debug = ctx.debug;
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    const index = input.index;
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
}

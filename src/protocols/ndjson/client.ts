import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { JsonStreamState } from '../wire/json-stream-rules.js';
import type { NdjsonTarget } from './schema.js';
import { NdjsonReader } from '../wire/ndjson-reader.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';

/** Any newline-delimited JSON stream: the user says where the text, usage and end are. */
export class NdjsonClient extends HttpProtocolClient {
  readonly family: FamilyOf = { family: 'text', streamed: true };
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: NdjsonTarget,
    ctx: ClientContext,
  ) {
    super({ url: target.url, method: target.method, headers: target.headers, body: target.body, streamed: true, timeoutMs: target.timeout }, ctx);
    this.debug = ctx.debug;
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    const state = new JsonStreamState(tl, this.target);
    const tap = debugLineTap(this.debug, input.index);
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
}

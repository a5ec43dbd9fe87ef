import type { Dispatcher } from 'undici';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { ConfigError } from '../../model/config-error.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import { debugLineTap } from '../wire/debug-tap.js';
import { hasHeader } from '../http/client.js';
import { createDispatcher, httpExchange, type BodyConsumer } from '../wire/http-exchange.js';
import type { KserveTarget } from './schema.js';
import { SseReader } from '../wire/sse.js';
import type { ProtocolClient, ProtocolDebugSink, RequestInput } from '../types.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

type Api = 'infer' | 'generate_stream';

interface InferResponse {
  outputs?: { name?: string; datatype?: string; data?: unknown[] }[];
}

/**
 * KServe v2 HTTP (PROTOCOLS.md §5.1): `infer` sends JSON tensors and reads the text from a
 * BYTES output tensor; Triton's `generate_stream` reads `text_output` deltas from `data:`
 * events until the connection ends (no terminator), and `{"error"}` events as failures.
 */
export class KserveClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher = createDispatcher();
  private readonly url: string;
  private readonly api: Api;
  private readonly renderBody: CompiledTemplate;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: KserveTarget,
    private readonly debug?: ProtocolDebugSink,
  ) {
    const base = target.url.replace(/\/+$/, '');
    const named = /\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/(infer|generate_stream)$/.exec(base);
    this.api = target.api ?? (named?.[2] as Api | undefined) ?? 'infer';
    if (named) this.url = base;
    else {
      if (!target.model) {
        throw new ConfigError([{ path: 'target.model', message: `required when target.url (${target.url}) does not name the model (…/v2/models/<model>/${this.api})` }]);
      }
      this.url = `${base}/v2/models/${encodeURIComponent(target.model)}/${this.api}`;
    }
    const parameters = target.parameters;
    this.renderBody = compileTemplate(
      this.api === 'infer'
        ? { inputs: target.inputs ?? [{ name: 'text_input', datatype: 'BYTES', shape: [1], data: [target.prompt] }], ...(Object.keys(parameters).length ? { parameters } : {}) }
        : { text_input: target.prompt, parameters: { ...parameters, stream: true } },
    );
    this.headers = { ...target.headers };
    if (!hasHeader(this.headers, 'content-type')) this.headers['content-type'] = 'application/json';
    this.timeoutMs = requestTimeoutMs(target.timeout, this.api === 'generate_stream');
  }

  send(input: RequestInput): Promise<Timeline> {
    const body = JSON.stringify(this.renderBody(input.vars));
    return httpExchange(this.dispatcher, { url: this.url, method: 'POST', headers: this.headers, body, timeoutMs: this.timeoutMs }, input, (tl) =>
      this.api === 'generate_stream'
        ? tritonStreamConsumer(tl, this.debug, input.index)
        : unaryJsonConsumer(tl, (json: InferResponse) => {
            const tensor = json.outputs?.find((o) => o.name === this.target.output);
            const data = tensor?.data;
            return { text: Array.isArray(data) && data.every((d) => typeof d === 'string') ? data.join('') : undefined };
          }),
    );
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function tritonStreamConsumer(tl: TimelineBuilder, debug: ProtocolDebugSink | undefined, index: number): BodyConsumer {
  const tap = debugLineTap(debug, index);
  let failure: string | undefined;
  const reader = new SseReader((event, atMs) => {
    if (failure) return;
    let json: { text_output?: unknown; error?: unknown };
    try {
      json = JSON.parse(event.data);
    } catch {
      failure = `invalid JSON in stream event: ${event.data.slice(0, 200)}`;
      return;
    }
    if (json.error !== undefined) {
      failure = `server error mid-stream: ${typeof json.error === 'string' ? json.error : JSON.stringify(json.error)}`;
      return;
    }
    const text = typeof json.text_output === 'string' ? json.text_output : '';
    if (text) tl.content(text, 1, atMs);
    else tl.event(atMs);
  });
  return {
    chunk(data, atMs) {
      tap?.feed(data, atMs);
      reader.feed(data, atMs);
      return failure !== undefined;
    },
    end(atMs) {
      tap?.end(atMs);
      reader.end(atMs);
      // Triton ends a stream by closing it; a connection that broke is a connection_error upstream.
      return failure ? { outcome: 'protocol_error', error: failure } : { outcome: 'ok' };
    },
  };
}

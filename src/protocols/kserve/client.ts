import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import { ConfigError } from '../../model/config-error.js';
import type { ClientContext } from '../descriptor.js';
import { debugLineTap } from '../wire/debug-tap.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import type { KserveTarget } from './schema.js';
import { SseReader } from '../wire/sse.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';
import { unaryJsonConsumer } from '../wire/unary-json.js';

type Api = 'infer' | 'generate_stream';

interface InferResponse {
  outputs?: { name?: string; datatype?: string; data?: unknown[] }[];
}

/**
 * KServe v2 HTTP: `infer` sends JSON tensors and reads the text from a
 * BYTES output tensor; Triton's `generate_stream` reads `text_output` deltas from `data:`
 * events until the connection ends (no terminator), and `{"error"}` events as failures.
 */
export class KserveClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private readonly api: Api;
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: KserveTarget,
    ctx: ClientContext,
  ) {
    const { url, api } = kserveEndpoint(target);
    const parameters = target.parameters;
    const body =
      api === 'infer'
        ? { inputs: target.inputs ?? [{ name: 'text_input', datatype: 'BYTES', shape: [1], data: [target.prompt] }], ...(Object.keys(parameters).length ? { parameters } : {}) }
        : { text_input: target.prompt, parameters: { ...parameters, stream: true } };
    super({ url, method: 'POST', headers: target.headers, body, streamed: api === 'generate_stream', timeoutMs: target.timeout }, ctx);
    this.api = api;
    this.debug = ctx.debug;
    this.family = kserveFamily(target, api);
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    return this.api === 'generate_stream'
      ? tritonStreamConsumer(tl, this.debug, input.index)
      : unaryJsonConsumer(tl, (json: InferResponse) => {
          const tensor = json.outputs?.find((o) => o.name === this.target.output);
          const data = tensor?.data;
          return { text: Array.isArray(data) && data.every((d) => typeof d === 'string') ? data.join('') : undefined };
        });
  }
}

/** The endpoint: the URL as given when it names the model and the API, else built from `model` and `api`. */
export function kserveEndpoint(target: KserveTarget): { url: string; api: Api } {
  const base = target.url.replace(/\/+$/, '');
  const named = /\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/(infer|generate_stream)$/.exec(base);
  const api = target.api ?? (named?.[2] as Api | undefined) ?? 'infer';
  if (named) return { url: base, api };
  if (!target.model) {
    throw new ConfigError([{ path: 'target.model', message: `required when target.url (${target.url}) does not name the model (…/v2/models/<model>/${api})` }]);
  }
  return { url: `${base}/v2/models/${encodeURIComponent(target.model)}/${api}`, api };
}

/** Text from the generate stream or from infer's default text tensors; custom input tensors are a plain unary model call. */
export function kserveFamily(target: Pick<KserveTarget, 'inputs'>, api: Api): FamilyOf {
  if (api === 'generate_stream') return { family: 'text', streamed: true };
  return { family: target.inputs ? 'unary' : 'text', streamed: false };
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
    if (text) tl.text(text, 1, atMs);
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

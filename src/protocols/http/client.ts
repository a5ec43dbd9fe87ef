import type { Dispatcher } from 'undici';
import { FrameSource, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import type { FramesOptions } from '../frames/schema.js';
import { httpFramesBody } from '../frames/http-frames.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { compileHttpRequest, compileTemplate, hasHeader, type HttpRequestParts } from '../../scenario/template.js';
import type { HttpTarget } from './schema.js';
import { createDispatcher, httpExchange } from '../wire/http-exchange.js';
import type { ProtocolClient, RequestInput } from '../types.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

const PREVIEW_BYTES = 4096;
/** Responses values are captured from are kept whole up to this size. */
const MAX_KEPT_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A plain HTTP endpoint: one request, one answer; latency, TTFB and status are what matter. */
export class HttpClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher;
  private readonly render: (vars: RequestInput['vars']) => HttpRequestParts;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: HttpTarget,
    maxConnections?: number,
  ) {
    this.dispatcher = createDispatcher(maxConnections);
    this.render = compileHttpRequest({ url: target.url, headers: target.headers, query: target.query, body: target.frames ? undefined : target.body, contentType: target.content_type });
    this.timeoutMs = requestTimeoutMs(target.timeout, false);
  }

  /** Renders the request (url, headers, body) for these vars, before its timed section. */
  prepare(vars: RequestInput['vars']): HttpRequestParts {
    return this.render(vars);
  }

  send(input: RequestInput): Promise<Timeline> {
    if (this.target.frames) return this.sendFrames(input, this.target.frames);
    const request = (input.prepared as HttpRequestParts | undefined) ?? this.render(input.vars);
    return this.exchange(input, request, request.body);
  }

  private frameSource: Promise<FrameSource> | undefined;

  /** A request carrying image frames: the batch fills (camera interval), then goes as JSON, raw bytes or multipart. */
  private async sendFrames(input: RequestInput, options: FramesOptions): Promise<Timeline> {
    const source = await (this.frameSource ??= FrameSource.create(options, this.target.batch_size ?? 1));
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    let batch: FrameBatch;
    let built: { body: string | Uint8Array; contentType: string };
    try {
      batch = await source.batch(input.index, input.signal);
      const rendered = this.target.body === undefined ? {} : compileTemplate(this.target.body)(input.vars);
      built = await httpFramesBody(rendered, batch, options, input.index, this.target.batch_size !== undefined);
    } catch (err) {
      return tl.finish(input.signal.aborted ? 'aborted' : 'protocol_error', `cannot build the request: ${(err as Error).message}`);
    }
    const request = (input.prepared as HttpRequestParts | undefined) ?? this.render(input.vars);
    const t = await this.exchange(input, { ...request, headers: { ...request.headers, 'content-type': built.contentType } }, built.body);
    recordFrames(t, batch, this.target.batch_size !== undefined);
    return t;
  }

  private exchange(input: RequestInput, request: HttpRequestParts, body: string | Uint8Array | undefined): Promise<Timeline> {
    const { url, headers } = request;
    return httpExchange(this.dispatcher, { url, method: this.target.method, headers, body, timeoutMs: this.timeoutMs }, input, (tl) => {
      const parts: Buffer[] = [];
      let size = 0;
      // Keep only a preview of unary bodies (memory stays flat on large answers), unless the run captures values from them.
      const keep = input.keepResponse ? MAX_KEPT_RESPONSE_BYTES : PREVIEW_BYTES;
      return {
        chunk(data) {
          if (size < keep) parts.push(Buffer.from(data));
          size += data.byteLength;
        },
        end(atMs) {
          tl.content('', 1, atMs);
          const text = Buffer.concat(parts).toString('utf8');
          tl.t.bodyPreview = text.slice(0, 512);
          if (input.keepResponse) tl.t.responseText = text;
          return { outcome: 'ok' };
        },
      };
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

export { hasHeader };

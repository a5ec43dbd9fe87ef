import type { Dispatcher } from 'undici';
import { FrameSource, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import type { FramesOptions } from '../frames/schema.js';
import { httpFramesBody } from '../frames/http-frames.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { compileTemplate, hasPlaceholders, type CompiledTemplate } from '../../scenario/template.js';
import type { HttpTarget } from './schema.js';
import { createDispatcher, httpExchange } from '../wire/http-exchange.js';
import type { ProtocolClient, RequestInput } from '../types.js';
import { requestTimeoutMs } from '../../scenario/fields.js';


/** A plain HTTP endpoint: one request, one answer; latency, TTFB and status are what matter. */
export class HttpClient implements ProtocolClient {
  private readonly dispatcher: Dispatcher;
  private readonly renderBody: CompiledTemplate | undefined;
  private readonly constantBody: string | undefined;
  private readonly renderQuery: CompiledTemplate;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly target: HttpTarget,
    maxConnections?: number,
  ) {
    this.dispatcher = createDispatcher(maxConnections);
    const body = target.body;
    const isJson = body !== undefined && typeof body !== 'string';
    this.headers = { ...target.headers };
    if (body !== undefined && !hasHeader(this.headers, 'content-type')) {
      this.headers['content-type'] = isJson ? 'application/json' : (target.content_type ?? 'text/plain');
    }
    if (body !== undefined && !hasPlaceholders(body)) this.constantBody = isJson ? JSON.stringify(body) : (body as string);
    else if (body !== undefined) {
      const compiled = compileTemplate(body);
      this.renderBody = isJson ? (vars) => JSON.stringify(compiled(vars)) : compiled;
    }
    this.renderQuery = compileTemplate(target.query);
    this.timeoutMs = requestTimeoutMs(target.timeout, false);
  }

  send(input: RequestInput): Promise<Timeline> {
    if (this.target.frames) return this.sendFrames(input, this.target.frames);
    const body = this.constantBody ?? (this.renderBody?.(input.vars) as string | undefined);
    return this.exchange(input, body, this.headers);
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
    const headers = { ...this.headers, 'content-type': built.contentType };
    const t = await this.exchange(input, built.body, headers);
    recordFrames(t, batch, this.target.batch_size !== undefined);
    return t;
  }

  private exchange(input: RequestInput, body: string | Uint8Array | undefined, headers: Record<string, string>): Promise<Timeline> {
    const query = this.renderQuery(input.vars) as Record<string, unknown>;
    let url = this.target.url;
    if (Object.keys(query).length) {
      const u = new URL(url);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
      url = u.toString();
    }
    return httpExchange(this.dispatcher, { url, method: this.target.method, headers, body, timeoutMs: this.timeoutMs }, input, (tl) => {
      const parts: Buffer[] = [];
      let size = 0;
      return {
        chunk(data) {
          // Keep only a preview of unary bodies: memory stays flat on large answers.
          if (size < 4096) parts.push(Buffer.from(data));
          size += data.byteLength;
        },
        end(atMs) {
          tl.content('', 1, atMs);
          tl.t.bodyPreview = Buffer.concat(parts).toString('utf8').slice(0, 512);
          return { outcome: 'ok' };
        },
      };
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

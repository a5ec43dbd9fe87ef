import { FrameSource, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import type { FramesOptions } from '../frames/schema.js';
import { httpFramesBody } from '../frames/http-frames.js';
import type { FamilyOf } from '../../model/metrics.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { compileTemplate } from '../../scenario/template.js';
import type { HttpTarget } from './schema.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient, type BuiltRequest } from '../wire/http-client.js';
import type { ClientContext } from '../descriptor.js';
import type { RequestInput } from '../types.js';

/** Bytes of a unary answer kept as its preview; memory stays flat on large answers. */
const PREVIEW_BYTES = 4096;
/** Answers a step captures values from are kept whole up to this size. */
const MAX_KEPT_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A plain HTTP endpoint: one request, one answer; latency, TTFB and status are what matter (frames: FPS). */
export class HttpClient extends HttpProtocolClient {
  readonly family: FamilyOf;
  private frameSource: Promise<FrameSource> | undefined;
  private frameBody: ((vars: RequestInput['vars']) => unknown) | undefined;

  constructor(
    private readonly target: HttpTarget,
    ctx: Pick<ClientContext, 'maxConcurrency'>,
  ) {
    super({ url: target.url, method: target.method, headers: target.headers, body: target.body, query: target.query, contentType: target.content_type, streamed: false, timeoutMs: target.timeout }, ctx);
    this.family = { family: target.frames ? 'frames' : 'unary', streamed: false };
  }

  override send(input: RequestInput): Promise<Timeline> {
    if (this.target.frames) return this.sendFrames(input, this.target.frames);
    return super.send(input);
  }

  /** A request carrying image frames: the batch fills (camera interval), then goes as JSON, raw bytes or multipart. */
  private async sendFrames(input: RequestInput, options: FramesOptions): Promise<Timeline> {
    const source = await (this.frameSource ??= FrameSource.create(options, this.target.batch_size ?? 1));
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    let batch: FrameBatch;
    let built: { body: string | Uint8Array; contentType: string };
    try {
      batch = await source.batch(input.index, input.signal);
      const rendered = this.target.body === undefined ? {} : (this.frameBody ??= compileTemplate(this.target.body, 'body'))(input.vars);
      built = await httpFramesBody(rendered, batch, options, input.index, this.target.batch_size !== undefined);
    } catch (err) {
      return tl.finish(input.signal.aborted ? 'aborted' : 'protocol_error', `cannot build the request: ${(err as Error).message}`);
    }
    const req = (input.prepared as BuiltRequest | undefined) ?? this.request.build(input.vars);
    const t = await this.exchange(input, { ...req, body: built.body, headers: { ...req.headers, 'content-type': built.contentType } });
    recordFrames(t, batch, this.target.batch_size !== undefined);
    return t;
  }

  protected consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer {
    const parts: Buffer[] = [];
    let size = 0;
    // Only a preview, unless the step captures values from the answer.
    const keep = input.keepResponse ? MAX_KEPT_RESPONSE_BYTES : PREVIEW_BYTES;
    return {
      chunk(data) {
        if (size < keep) parts.push(Buffer.from(data));
        size += data.byteLength;
      },
      end() {
        const text = Buffer.concat(parts).toString('utf8');
        tl.t.bodyPreview = text.slice(0, 512);
        if (input.keepResponse) tl.t.responseText = text;
        return { outcome: 'ok' };
      },
    };
  }
}

import type { AudioFormat } from '../../measure/audio.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { ClientContext } from '../descriptor.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { audioConsumer, inputText, pcmFormat, type AudioFraming } from '../wire/audio-stream.js';
import type { AudioHttpTarget } from './schema.js';
import type { RequestInput } from '../types.js';
import type { Timeline } from '../../model/timeline.js';

/** A generic HTTP endpoint answering with audio: raw chunked bytes, or base64 in SSE/NDJSON events. */
export class AudioHttpClient extends HttpProtocolClient {
  readonly family: FamilyOf = { family: 'audio', streamed: true };
  private readonly format: AudioFormat;
  private readonly framing: AudioFraming;

  constructor(
    private readonly target: AudioHttpTarget,
    ctx: ClientContext,
  ) {
    super(
      { url: target.url, method: target.method, headers: target.method === 'GET' ? target.headers : { 'content-type': 'application/json', ...target.headers }, body: target.body, query: target.query, streamed: true, timeoutMs: target.timeout },
      ctx,
    );
    this.format = target.format === 'wav' ? { container: 'wav' } : pcmFormat(target);
    const done = target.done_when?.split('=');
    this.framing = { kind: target.framing, audioField: target.audio_field, done: done ? { field: done[0]!, value: done.slice(1).join('=') } : undefined };
  }

  override send(input: RequestInput): Promise<Timeline> {
    const req = this.requestFor(input);
    // No body given: the dataset row's text (else a standard sentence) as {"text": ...}.
    if (this.target.method !== 'GET' && this.target.body === undefined) req.body = JSON.stringify({ text: inputText(undefined, input.vars) });
    if (this.target.method === 'GET') req.body = undefined;
    return this.exchange(input, req);
  }

  protected consumer(tl: TimelineBuilder): BodyConsumer {
    return audioConsumer(tl, this.format, this.framing);
  }
}

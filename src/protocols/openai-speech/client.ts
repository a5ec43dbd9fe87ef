import type { AudioFormat } from '../../measure/audio.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import type { ClientContext } from '../descriptor.js';
import type { BodyConsumer } from '../wire/http-exchange.js';
import { HttpProtocolClient } from '../wire/http-client.js';
import { audioConsumer, inputText, pcmFormat, type AudioFraming } from '../wire/audio-stream.js';
import type { OpenAISpeechTarget } from './schema.js';
import type { RequestInput } from '../types.js';
import type { Timeline } from '../../model/timeline.js';

/**
 * OpenAI-style `/v1/audio/speech`. Audio is counted from the bytes received (WAV header
 * walked, PCM by its declared layout); `ttfc` is the first chunk with a whole sample.
 */
export class OpenAISpeechClient extends HttpProtocolClient {
  readonly family: FamilyOf = { family: 'audio', streamed: true };
  private readonly input: CompiledTemplate | undefined;
  private readonly extra: CompiledTemplate;
  private readonly format: AudioFormat;
  private readonly framing: AudioFraming;

  constructor(
    private readonly target: OpenAISpeechTarget,
    ctx: ClientContext,
  ) {
    super({ url: target.url, method: 'POST', headers: target.headers, body: undefined, contentType: 'application/json', streamed: true, timeoutMs: target.timeout }, ctx);
    this.input = target.input === undefined ? undefined : compileTemplate(target.input);
    this.extra = compileTemplate(target.extra_body);
    this.format = target.response_format === 'wav' ? { container: 'wav' } : pcmFormat(target);
    this.framing =
      target.stream_format === 'sse'
        ? { kind: 'sse', audioField: 'audio', done: { field: 'type', value: 'speech.audio.done' } }
        : { kind: 'raw', audioField: 'audio' };
  }

  override send(input: RequestInput): Promise<Timeline> {
    const t = this.target;
    const body: Record<string, unknown> = { model: t.model, input: inputText(this.input, input.vars), voice: t.voice, response_format: t.response_format };
    if (t.stream_format === 'sse') body.stream_format = 'sse';
    if (t.speed !== undefined) body.speed = t.speed;
    if (t.instructions !== undefined) body.instructions = t.instructions;
    Object.assign(body, this.extra(input.vars));
    const req = this.requestFor(input);
    return this.exchange(input, { ...req, headers: { 'content-type': 'application/json', ...req.headers }, body: JSON.stringify(body) });
  }

  protected consumer(tl: TimelineBuilder): BodyConsumer {
    return audioConsumer(tl, this.format, this.framing);
  }
}

import { FrameSource, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { callLocal } from './call-local.js';
import { availableModes, importLocalModule, type LocalMode, type LocalModelModule } from './load-module.js';
import { MemorySampler } from './memory-sampler.js';
import { ConfigError } from '../../model/config-error.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import type { LocalTarget } from './schema.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { ProtocolClient, RequestInput } from '../types.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

const DEFAULT_MODE_ORDER: LocalMode[] = ['stream', 'streamAsync', 'generate', 'predict'];

/**
 * In-process target: calls the user's module itself. Besides the usual marks it records
 * `callback_time` (ms inside the token callback), `heap_peak_bytes` and `rss_peak_bytes`.
 */
export class LocalClient implements ProtocolClient {
  readonly family: FamilyOf;
  private readonly render: CompiledTemplate;

  private constructor(
    private readonly mod: LocalModelModule,
    private readonly mode: LocalMode,
    private readonly target: LocalTarget,
    private readonly frames: FrameSource | undefined,
  ) {
    this.family = localFamily(mode);
    this.render = compileTemplate(target.input);
  }

  static async create(target: LocalTarget): Promise<LocalClient> {
    const problems: { path: string; message: string }[] = [];
    let mod: LocalModelModule | undefined;
    try {
      mod = await importLocalModule(target.module);
    } catch (err) {
      problems.push({ path: 'target.module', message: (err as Error).message });
    }
    let mode: LocalMode | undefined;
    if (mod) {
      const has = availableModes(mod);
      mode = target.mode ?? DEFAULT_MODE_ORDER.find((m) => has.includes(m));
      if (!mode || !has.includes(mode)) problems.push({ path: 'target.mode', message: `${target.module} does not export ${target.mode}(); it exports ${has.join(', ')}` });
      if (mode === 'predict' && !target.frames) problems.push({ path: 'target.frames', message: 'mode "predict" takes a batch of frames; add frames: { width: 640, height: 640 }' });
    }
    // Without frames a local target needs none (only predict() takes them, checked above).
    const frames = target.frames ? await FrameSource.forTarget(target, problems) : undefined;
    if (problems.length) throw new ConfigError(problems);
    await mod!.setup?.();
    return new LocalClient(mod!, mode!, target, frames);
  }

  async send(input: RequestInput): Promise<Timeline> {
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    if (input.signal.aborted) return tl.finish('aborted', 'stopped before the call');
    let batch: FrameBatch | undefined;
    if (this.frames) {
      try {
        batch = await this.frames.batch(input.index, input.signal);
      } catch {
        return tl.finish('aborted', 'stopped while the batch was filling');
      }
    }
    const memory = new MemorySampler().start();
    const timeoutMs = requestTimeoutMs(this.target.timeout, true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([callLocal(this.mod, this.mode, this.render(input.vars), tl, batch?.frames), timedOut]);
      if (result === 'timeout') return tl.finish('timeout', `${this.mode}() did not return within ${timeoutMs} ms`);
      if (result.tokens !== undefined) tl.t.usageTokens = result.tokens;
      tl.extra('callback_time', result.callbackMs);
      tl.finish('ok');
    } catch (err) {
      tl.finish('protocol_error', `${this.mode}() threw: ${(err as Error)?.message ?? String(err)}`);
    } finally {
      clearTimeout(timer);
      memory.stop();
    }
    tl.extra('heap_peak_bytes', memory.heapPeakBytes);
    tl.extra('rss_peak_bytes', memory.rssPeakBytes);
    if (batch) recordFrames(tl.t, batch, this.target.batch_size !== undefined);
    return tl.t;
  }

  async close(): Promise<void> {
    await this.mod.teardown?.();
  }
}

/** predict() answers frames; generate() a whole text; stream() and streamAsync() a text stream. */
export function localFamily(mode: LocalMode | undefined): FamilyOf {
  if (mode === 'predict') return { family: 'frames', streamed: false, inProcess: true };
  return { family: 'text', streamed: mode !== 'generate', inProcess: true };
}

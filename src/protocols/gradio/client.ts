import type { Dispatcher } from 'undici';
import { nowMs } from '../../model/clock.js';
import { TimelineBuilder, type Timeline } from '../../model/timeline.js';
import { compileTemplate, type CompiledTemplate } from '../../scenario/template.js';
import { debugLineTap } from '../wire/debug-tap.js';
import { fetchGradioConfig, GRADIO_API_PREFIX, parseGradioUrl, type GradioConfig } from './discovery.js';
import { GradioQueueSession } from './queue.js';
import type { GradioTarget } from './schema.js';
import { gradioOutputs, gradioText } from './values.js';
import { hasHeader } from '../wire/http-client.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { ClientContext } from '../descriptor.js';
import { adoptSubmit, gradioErrorMessage, submitCall, type SubmitResult } from './submit.js';
import { createDispatcher, httpExchange, type BodyConsumer } from '../wire/http-exchange.js';
import { SseReader } from '../wire/sse.js';
import { charsPerSecond, TextGrowth } from '../wire/text-growth.js';
import type { ProtocolClient, ProtocolDebugSink, RequestInput } from '../types.js';
import { streamConsumer, type StreamState } from '../wire/stream-consumer.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

/**
 * A Gradio app through its queue API, as Hugging Face Spaces serve it.
 *
 * Simple mode: `POST {prefix}/call/<api>` with `{"data":[…]}` returns an `event_id`; `GET
 * {prefix}/call/<api>/<event_id>` streams `generating` frames holding the whole value so far,
 * then `complete`, or `error` (data `null` unless the app shows errors). Queue mode: the
 * session protocol (gradio-queue.ts). The API prefix comes from `/config` (`/gradio_api` on
 * 5.x/6.x, none on 4.x); when /config cannot be read, `/gradio_api` is tried first, then the root.
 *
 * Timeline: `sentMs` is the POST's send, `submittedMs` its `event_id` (the `submit` metric),
 * first event and content from the stream, a token's arrival being the text growing.
 * `serverRequestId` is the event id (the reference server keeps its ground truth under it).
 */
export class GradioClient implements ProtocolClient {
  private readonly root: string;
  private readonly apiName: string;
  private readonly headers: Record<string, string>;
  private readonly renderData: CompiledTemplate;
  private readonly timeoutMs: number;
  /** Known prefix, or undefined while it still has to be found. */
  private apiPrefix: string | undefined;
  private config: Promise<GradioConfig | undefined> | undefined;
  private queue: GradioQueueSession | undefined;

  readonly family: FamilyOf = { family: 'text', streamed: true };
  private readonly dispatcher: Dispatcher;
  private readonly debug: ProtocolDebugSink | undefined;

  constructor(
    private readonly target: GradioTarget,
    ctx: ClientContext,
  ) {
    // Queue mode holds one more connection: the session's shared queue/data stream.
    this.dispatcher = createDispatcher(ctx.maxConcurrency + 1);
    this.debug = ctx.debug;
    const parsed = parseGradioUrl(target.url);
    this.root = parsed.root;
    this.apiName = (target.api ?? parsed.api ?? 'predict').replace(/^\//, '');
    this.apiPrefix = target.api_prefix ?? parsed.apiPrefix;
    this.headers = { ...target.headers };
    if (target.token && !hasHeader(this.headers, 'authorization')) this.headers.authorization = `Bearer ${target.token}`;
    this.renderData = compileTemplate(target.data);
    this.timeoutMs = requestTimeoutMs(target.timeout, true);
  }

  /** /config once per client, outside any request's timing. */
  private readConfig(): Promise<GradioConfig | undefined> {
    return (this.config ??= fetchGradioConfig(this.dispatcher, this.root, this.headers).then(
      (config) => {
        this.apiPrefix ??= config.apiPrefix;
        return config;
      },
      () => undefined,
    ));
  }

  async send(input: RequestInput): Promise<Timeline> {
    const config = this.apiPrefix === undefined || this.target.mode === 'queue' ? await this.readConfig() : undefined;
    const body = JSON.stringify({ data: this.renderData(input.vars) });
    if (this.target.mode === 'queue') return this.sendQueued(input, body, config);
    return this.sendSimple(input, body);
  }

  private async sendQueued(input: RequestInput, dataBody: string, config: GradioConfig | undefined): Promise<Timeline> {
    const fnIndex = this.target.fn_index ?? config?.fnIndexByApi.get(this.apiName);
    if (fnIndex === undefined) {
      const tl = new TimelineBuilder(input.index, input.scheduledMs);
      const why = config ? `/config lists no endpoint named "${this.apiName}" (it has: ${[...config.fnIndexByApi.keys()].join(', ') || 'none'})` : `${this.root}/config could not be read`;
      return tl.finish('protocol_error', `queue mode needs the endpoint's fn_index: ${why}; set target.fn_index or check --api`);
    }
    const prefix = this.apiPrefix ?? GRADIO_API_PREFIX;
    this.queue ??= new GradioQueueSession(this.dispatcher, `${this.root}${prefix}`, this.headers, this.timeoutMs, this.debug);
    return this.queue.send(input, JSON.parse(dataBody).data as unknown[], fnIndex, this.target.text_path);
  }

  private async sendSimple(input: RequestInput, body: string): Promise<Timeline> {
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    const prefixes = this.apiPrefix !== undefined ? [this.apiPrefix] : [GRADIO_API_PREFIX, ''];
    let submitted: SubmitResult | undefined;
    for (const prefix of prefixes) {
      submitted = await submitCall(this.dispatcher, `${this.root}${prefix}/call/${this.apiName}`, this.postHeaders(), body, input, this.timeoutMs, this.debug);
      // Without /config, a 404 under one prefix means the app uses the other.
      if (submitted.t.status === 404 && prefix !== prefixes[prefixes.length - 1]) continue;
      if (submitted.t.outcome === 'ok') this.apiPrefix = prefix;
      break;
    }
    const post = submitted!;
    adoptSubmit(tl, post.t);
    if (post.t.outcome !== 'ok' || post.eventId === undefined) {
      tl.t.bodyPreview = post.t.bodyPreview;
      return tl.finish(post.t.outcome === 'ok' ? 'protocol_error' : post.t.outcome, post.t.error ?? 'no event_id', post.t.endMs);
    }
    tl.extra('submit', post.t.endMs - post.t.sentMs);
    const sentMs = tl.t.sentMs;
    const streamUrl = `${this.root}${this.apiPrefix}/call/${this.apiName}/${post.eventId}`;
    const remainingMs = Math.max(1, this.timeoutMs - (nowMs() - sentMs));
    const headers = { ...this.headers, accept: 'text/event-stream' };
    const t = await httpExchange(
      this.dispatcher,
      { url: streamUrl, method: 'GET', headers, timeoutMs: remainingMs, statedTimeoutMs: this.timeoutMs },
      input,
      (b) => callStreamConsumer(b, this.target.text_path, this.debug, input.index),
      tl,
    );
    t.sentMs = sentMs; // the GET re-stamped it; every Gradio metric starts at the POST
    t.serverRequestId = post.eventId;
    const speed = charsPerSecond(tl);
    if (speed !== undefined) t.extra.chars_per_s = speed;
    return t;
  }

  private postHeaders(): Record<string, string> {
    const headers = { ...this.headers };
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    return headers;
  }

  async close(): Promise<void> {
    this.queue?.close();
    await this.dispatcher.close();
  }
}

function callStreamConsumer(tl: TimelineBuilder, textPath: string | undefined, debug: ProtocolDebugSink | undefined, index: number): BodyConsumer {
  const growth = new TextGrowth(tl);
  const tap = debugLineTap(debug, index);
  const state: StreamState = { done: false };
  const reader = new SseReader((event, atMs) => {
    if (state.done || state.failure) return;
    const kind = event.event ?? 'message';
    // Every event counts, as the HF Space script counts data lines; heartbeats apart.
    if (kind === 'heartbeat') {
      tl.t.heartbeats = (tl.t.heartbeats ?? 0) + 1;
      return; // keep-alive, not a payload
    }
    tl.t.streamEvents = (tl.t.streamEvents ?? 0) + 1;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      state.failure = `invalid JSON in the "${kind}" event: ${event.data.slice(0, 200)}`;
      return;
    }
    if (kind === 'error') {
      state.failure = `Gradio error event: ${gradioErrorMessage(data)}`;
      return;
    }
    if (kind === 'generating' || kind === 'complete') growth.update(gradioText(gradioOutputs(data), textPath), atMs);
    else tl.event(atMs);
    if (kind === 'complete') state.done = true;
  });
  return streamConsumer(reader, state, { tap, endedEarly: 'stream ended before the "complete" event' });
}

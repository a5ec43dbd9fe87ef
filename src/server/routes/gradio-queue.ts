/**
 * Gradio's session protocol (`sse_v3`): `POST {prefix}/queue/join`
 * answers `{"event_id"}`; one `GET {prefix}/queue/data?session_hash=` stream per session
 * carries every event's messages (`data: <orjson>` frames, no `event:` lines): `estimation`,
 * `process_starts`, `process_generating` (the full value first, then diffs), `process_completed`
 * (the full value, or `success:false` with the error payload), `heartbeat` when idle, and
 * `close_stream` once the session has nothing pending. Messages wait in the session until a
 * stream is open, as Gradio's pending-message queue does.
 *
 * Ground truth: one record per event under its event id (zero = the join's arrival); each
 * message is marked on its event's record right before it is written to the shared stream.
 */
import { sleepUntil } from '../../model/clock.js';
import { endpointByName, GRADIO_API_PREFIX, newEventId, notFound, servesPrefix, type GradioEndpoint } from '../gradio-app.js';
import { gradioDiff } from '../gradio-diff.js';
import type { GroundTruthEventKind, GroundTruthRecorder, MarkDetail } from '../ground-truth.js';
import { scheduleChunks } from '../generation.js';
import { IdleKeepAlive } from '../keep-alive.js';
import type { StreamPlan } from '../request-plan.js';
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';
const MID_STREAM_ERROR_MESSAGE = 'inferbench reference server: injected mid-stream error (midStreamErrorRate)';

interface PendingMessage {
  bytes: string;
  kind: GroundTruthEventKind;
  detail?: MarkDetail;
  recorder?: GroundTruthRecorder;
  /** close_stream: the stream ends after it. */
  closes?: boolean;
}

/** One browser tab's worth of state: its pending events and its open stream, if any. */
class Session {
  stream: { context: RouteContext; keepAlive: IdleKeepAlive } | undefined;
  readonly waiting: PendingMessage[] = [];
  readonly pendingEvents = new Map<string, GroundTruthRecorder>();
  /** Aborted when the session's stream is dropped; stops its events' playback. */
  aborter = new AbortController();

  send(message: PendingMessage): void {
    if (!this.stream) {
      this.waiting.push(message);
      return;
    }
    const { context, keepAlive } = this.stream;
    message.recorder?.mark(message.kind, message.detail);
    context.writeEvent(message.kind, message.bytes);
    keepAlive.touch();
    if (message.closes) {
      context.end();
      this.stream = undefined;
    }
  }

  attach(context: RouteContext, heartbeatMs: number): void {
    context.startStream(200, { 'content-type': SSE_CONTENT_TYPE });
    const keepAlive = new IdleKeepAlive(context, heartbeatMs, 'data: {"msg":"heartbeat","event_id":null}\n\n', () => {
      for (const recorder of this.pendingEvents.values()) recorder.mark('heartbeat');
    });
    this.stream = { context, keepAlive };
    context.signal.addEventListener('abort', () => {
      if (this.stream?.context !== context) return;
      // The client left (or the connection was dropped): its events cannot be delivered.
      this.stream = undefined;
      this.aborter.abort();
      this.aborter = new AbortController();
      for (const recorder of this.pendingEvents.values()) recorder.end('client-disconnected');
      this.pendingEvents.clear();
    });
    for (const message of this.waiting.splice(0)) {
      if (!this.stream) break;
      this.send(message);
    }
  }

  /** An event finished: when nothing else is pending, the stream closes. */
  finished(eventId: string): void {
    this.pendingEvents.delete(eventId);
    if (this.pendingEvents.size === 0) this.send({ bytes: frame({ msg: 'close_stream', event_id: null }), kind: 'done', closes: true });
  }
}

const frame = (message: unknown) => `data: ${JSON.stringify(message)}\n\n`;

export function registerGradioQueueRoutes(router: Router): void {
  const sessions = new Map<string, Session>();
  for (const prefix of ['', GRADIO_API_PREFIX]) {
    router.add('POST', `${prefix}/queue/join`, (context) => (servesPrefix(context, prefix) ? join(context, sessions) : notFound(context)), { groundTruth: false });
    router.add('GET', `${prefix}/queue/data`, (context) => (servesPrefix(context, prefix) ? openStream(context, sessions) : notFound(context)), { groundTruth: false });
  }
}

async function join(context: RouteContext, sessions: Map<string, Session>): Promise<void> {
  const body = ((await context.readJson()) ?? {}) as { data?: unknown; fn_index?: unknown; session_hash?: unknown };
  if (typeof body.session_hash !== 'string' || body.session_hash === '') return context.sendJson(400, { detail: 'Session hash not found.' }, 'error');
  if (!Array.isArray(body.data)) return context.sendJson(422, { detail: [{ type: 'missing', loc: ['body', 'data'], msg: 'Field required', input: body }] }, 'error');
  const endpoint = typeof body.fn_index === 'number' ? endpointByFnIndex(body.fn_index) : undefined;
  if (!endpoint) return context.send(500, 'Internal Server Error', 'text/plain; charset=utf-8', 'error');
  const { server } = context;
  const plan = server.planner.drawStreamPlan(endpoint.limits(body.data), server.generationsInFlight);
  if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, { detail: ERROR_FAULT_MESSAGE }, 'error');

  let session = sessions.get(body.session_hash);
  if (!session) sessions.set(body.session_hash, (session = new Session()));
  const eventId = newEventId();
  const recorder = server.groundTruth.start(eventId, `gradio event /queue/join fn ${endpoint.fnIndex}`, context.url.pathname, context.receivedMs);
  recorder.plan(plan);
  server.generationsInFlight++;
  void recorder.ended.then(() => server.generationsInFlight--);
  session.pendingEvents.set(eventId, recorder);
  recorder.mark('submitted');
  context.sendJson(200, { event_id: eventId }, 'content');
  void playEvent(session, eventId, endpoint, plan, recorder, context, body.data.length < endpoint.inputCount);
}

function endpointByFnIndex(fnIndex: number): GradioEndpoint | undefined {
  for (const name of ['predict', 'chat']) {
    const endpoint = endpointByName(name);
    if (endpoint?.fnIndex === fnIndex) return endpoint;
  }
  return undefined;
}

function openStream(context: RouteContext, sessions: Map<string, Session>): void {
  const session = sessions.get(context.url.searchParams.get('session_hash') ?? '');
  if (!session) return context.sendJson(404, { detail: 'Session not found.' }, 'error');
  if (session.stream) return context.sendJson(409, { detail: 'Session already has an open stream.' }, 'error');
  session.attach(context, context.settings.heartbeatMs);
}

/** Plays one event out on its session: queue messages at once, tokens at their due times, faults as planned. */
async function playEvent(
  session: Session,
  eventId: string,
  endpoint: GradioEndpoint,
  plan: StreamPlan,
  recorder: GroundTruthRecorder,
  join: RouteContext,
  invalidInputs: boolean,
): Promise<void> {
  const v5 = join.settings.gradioVersion === 5;
  const signal = session.aborter.signal;
  const send = (kind: GroundTruthEventKind, message: Record<string, unknown>, detail?: MarkDetail) =>
    session.send({ bytes: frame(message), kind, detail, recorder });
  const output = (data: unknown[], isGenerating: boolean) => ({
    data,
    is_generating: isGenerating,
    duration: 0.01,
    average_duration: 0.01,
    render_config: null,
    changed_state_ids: [],
  });
  const completed = (message: Record<string, unknown>, kind: GroundTruthEventKind, detail?: MarkDetail) => {
    send(kind, v5 ? { ...message, title: message.success ? null : 'Error' } : message, detail);
    recorder.end('completed');
    session.finished(eventId);
  };
  const failure = (error: string | null) =>
    completed({ msg: 'process_completed', event_id: eventId, output: v5 ? { error, duration: 10.0, visible: true, title: 'Error' } : { error, duration: 10.0, visible: true }, success: false }, 'error');

  send('queue', { msg: 'estimation', event_id: eventId, rank: 0, queue_size: session.pendingEvents.size, rank_eta: null });
  send('queue', { msg: 'process_starts', event_id: eventId, eta: null });
  if (invalidInputs) return failure(null);

  const chunks = scheduleChunks(plan, join.receivedMs);
  const faultAt =
    plan.fault.kind === 'mid-stream-close' || plan.fault.kind === 'mid-stream-error' || plan.fault.kind === 'stall' ? plan.fault.afterTokens / plan.tokensPerChunk : -1;
  let previous: unknown[] | undefined;
  let text = '';
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (i === faultAt && plan.fault.kind === 'stall') return; // nothing more for this event; heartbeats go on
    await sleepUntil(chunk.dueMs, signal);
    if (signal.aborted) return;
    if (i === faultAt) {
      if (plan.fault.kind === 'mid-stream-close') {
        recorder.end('connection-destroyed');
        return session.stream?.context.destroyConnection();
      }
      return failure(MID_STREAM_ERROR_MESSAGE);
    }
    text += chunk.text;
    const value = endpoint.outputs(text);
    // The first yield is the full value; later ones are per-output diffs (Blocks.handle_streaming_diffs).
    const data = previous ? value.map((item, index) => gradioDiff(previous![index], item)) : value;
    previous = value;
    const message: Record<string, unknown> = { msg: 'process_generating', event_id: eventId, output: output(data, true), success: true };
    if (v5) message.time_limit = null;
    send('content', message, { tokens: chunk.tokens, text: chunk.text });
  }
  completed({ msg: 'process_completed', event_id: eventId, output: output(endpoint.outputs(text), false), success: true }, 'finish', { finishReason: plan.finishReason });
}

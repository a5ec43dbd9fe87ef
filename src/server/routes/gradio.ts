/**
 * Gradio's app config, endpoint discovery and simple 2-step API, byte for byte:
 * `POST {prefix}/call/{api}` answers `{"event_id":…}`
 * at once, `GET {prefix}/call/{api}/{event_id}` streams `event: generating` frames with
 * the full value so far (Python `json.dumps` spacing), a final `event: complete`, and
 * `event: error` with `null` data on failure; `event: heartbeat` after an idle spell.
 * The prefix is `/gradio_api` on 5.x and the root on 4.x (`gradioVersion`).
 *
 * Ground truth: one record per Gradio event, under the event id, whose zero is the POST's
 * arrival (the queue starts the job then), with a `submitted` mark for the POST's answer.
 */
import { endpointByName, GRADIO_API_PREFIX, gradioConfig, gradioInfo, newEventId, notFound, servesPrefix, type GradioEndpoint } from '../gradio-app.js';
import type { GroundTruthRecorder } from '../ground-truth.js';
import { streamGeneration, type StreamFormat } from '../generation.js';
import { IdleKeepAlive } from '../keep-alive.js';
import { pythonJsonDumps } from '../python-json.js';
import type { StreamPlan } from '../request-plan.js';
import { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';

interface CallJob {
  endpoint: GradioEndpoint;
  plan: StreamPlan;
  recorder: GroundTruthRecorder;
  receivedMs: number;
  /** Set when the request's data cannot run (too few inputs): the stream then reports an error. */
  inputError?: string;
}

export function registerGradioRoutes(router: Router): void {
  const jobs = new Map<string, CallJob>();
  const noRecord = { groundTruth: false };
  router.add('GET', '/config', (context) => context.sendJson(200, gradioConfig(context), 'content'), noRecord);
  for (const prefix of ['', GRADIO_API_PREFIX]) {
    router.add('GET', `${prefix}/info`, (context) => (servesPrefix(context, prefix) ? context.sendJson(200, gradioInfo(), 'content') : notFound(context)), noRecord);
    router.add('POST', `${prefix}/call/:api`, (context) => (servesPrefix(context, prefix) ? submit(context, jobs) : notFound(context)), noRecord);
    router.add('GET', `${prefix}/call/:api/:eventId`, (context) => (servesPrefix(context, prefix) ? streamEvent(context, jobs) : notFound(context)), noRecord);
  }
}

async function submit(context: RouteContext, jobs: Map<string, CallJob>): Promise<void> {
  const body = await context.readJson();
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) {
    // FastAPI's validation answer for SimplePredictBody.
    return context.sendJson(422, { detail: [{ type: 'missing', loc: ['body', 'data'], msg: 'Field required', input: body ?? null }] }, 'error');
  }
  const endpoint = endpointByName(context.params.api!);
  // An unknown api_name raises FnIndexInferError, unhandled: Starlette's plain 500.
  if (!endpoint) return context.send(500, 'Internal Server Error', 'text/plain; charset=utf-8', 'error');
  const { server } = context;
  const plan = server.planner.drawStreamPlan(endpoint.limits(data), server.generationsInFlight);
  if (plan.fault.kind === 'error') {
    return context.sendJson(context.settings.errorStatus, { detail: ERROR_FAULT_MESSAGE }, 'error');
  }
  const eventId = newEventId();
  const recorder = server.groundTruth.start(eventId, `gradio event /call/${endpoint.apiName}`, context.url.pathname, context.receivedMs);
  recorder.plan(plan);
  server.generationsInFlight++;
  void recorder.ended.then(() => server.generationsInFlight--);
  const job: CallJob = { endpoint, plan, recorder, receivedMs: context.receivedMs };
  if (data.length < endpoint.inputCount) job.inputError = `needs ${endpoint.inputCount} inputs, got ${data.length}`;
  jobs.set(eventId, job);
  recorder.mark('submitted');
  context.sendJson(200, { event_id: eventId }, 'content');
}

async function streamEvent(context: RouteContext, jobs: Map<string, CallJob>): Promise<void> {
  const eventId = context.params.eventId!;
  const job = jobs.get(eventId);
  if (!job) {
    // Headers are already out when Gradio finds no such event: an error event, then the connection dies.
    context.startStream(200, { 'content-type': SSE_CONTENT_TYPE });
    const detail = context.settings.gradioVersion === 5 ? '404: Not Found' : '404: Session not found.';
    context.writeEvent('error', `event: error\ndata: ${pythonJsonDumps(detail)}\n\n`);
    return context.destroyConnection();
  }
  jobs.delete(eventId);
  // The event's own context: the GET's connection, the POST's arrival as the plan's zero, the event's record.
  const event = new RouteContext(eventId, context.request, context.response, context.url, context.params, job.receivedMs, context.server, job.recorder);
  const keepAlive = new IdleKeepAlive(event, context.settings.heartbeatMs, 'event: heartbeat\ndata: null\n\n');
  if (job.inputError) {
    event.startStream(200, { 'content-type': SSE_CONTENT_TYPE });
    event.writeEvent('error', 'event: error\ndata: null\n\n');
    return event.end();
  }
  await streamGeneration(event, job.plan, callStreamFormat(job, keepAlive));
  keepAlive.stop();
}

/** `/call` sends every yield as a full snapshot (`simple_format` disables diffs). */
function callStreamFormat({ endpoint, plan }: CallJob, keepAlive: IdleKeepAlive): StreamFormat {
  let text = '';
  const frame = (event: string, value: unknown) => `event: ${event}\ndata: ${pythonJsonDumps(value)}\n\n`;
  return {
    contentType: SSE_CONTENT_TYPE,
    opening: () => [],
    chunk: (chunk) => {
      keepAlive.touch();
      text += chunk.text;
      return { kind: 'content', tokens: chunk.tokens, text: chunk.text, bytes: frame('generating', endpoint.outputs(text)) };
    },
    closing: () => [{ kind: 'finish', finishReason: plan.finishReason, bytes: frame('complete', endpoint.outputs(text)) }],
    // 4.x/5.x and 6.0–6.12: an exception's payload has no "data" key, so the frame carries null.
    midStreamError: () => [{ kind: 'error', bytes: 'event: error\ndata: null\n\n' }],
  };
}


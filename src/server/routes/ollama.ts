/**
 * Ollama's native API, byte for byte: `POST /api/generate` and
 * `POST /api/chat` stream `application/x-ndjson`, one compact JSON object per line; the
 * final line has `done:true`, `done_reason`, and the server's own metrics in integer
 * nanoseconds (zero values omitted, as Go's `omitempty` does). Errors before the stream
 * are `{"error"}` with a status; mid-stream, an `{"error"}` line on the same 200.
 * `"stream":false` answers with one object.
 */
import { nowMs } from '../../model/clock.js';
import { answerWhenGenerated, scheduleChunks, streamGeneration, type StreamFormat } from '../generation.js';
import type { StreamPlan } from '../request-plan.js';
import { RequestError, type RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

type Api = 'generate' | 'chat';
const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';
const MID_STREAM_ERROR_MESSAGE = 'inferbench reference server: injected mid-stream error (midStreamErrorRate)';
/** What the emulated model spends loading: a constant, so the split is visible but stable. */
const LOAD_DURATION_NS = 1_500_000;

export function registerOllamaRoutes(router: Router): void {
  router.add('POST', '/api/generate', (context) => answer(context, 'generate'));
  router.add('POST', '/api/chat', (context) => answer(context, 'chat'));
}

async function answer(context: RouteContext, api: Api): Promise<void> {
  const body = (await context.readJson()) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') throw new RequestError(400, 'missing request body');
  const model = typeof body.model === 'string' ? body.model : '';
  if (!model) return context.sendJson(400, { error: 'model is required' }, 'error');
  let prompt: string;
  if (api === 'chat') {
    if (!Array.isArray(body.messages)) return context.sendJson(400, { error: 'messages is required' }, 'error');
    prompt = body.messages.map((m) => String((m as { content?: unknown })?.content ?? '')).join(' ');
  } else prompt = String(body.prompt ?? '');
  const numPredict = (body.options as { num_predict?: unknown } | undefined)?.num_predict;
  const plan = context.drawStreamPlan({ maxTokens: Number.isInteger(numPredict) && (numPredict as number) > 0 ? (numPredict as number) : undefined });
  if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, { error: ERROR_FAULT_MESSAGE }, 'error');
  const stream = body.stream !== false;
  const head = (text: string) =>
    api === 'chat'
      ? { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: text } }
      : { model, created_at: new Date().toISOString(), response: text };
  const promptTokens = context.countPromptTokens(prompt);
  const metrics = () => finalMetrics(context, plan, promptTokens);
  if (!stream) {
    return answerWhenGenerated(context, plan, {
      complete: () => ({ ...head(plan.tokenTexts.join('')), done: true, done_reason: doneReason(plan), ...(api === 'generate' ? { context: [1, 2, 3] } : {}), ...metrics() }),
      failed: () => ({ status: 500, body: { error: MID_STREAM_ERROR_MESSAGE } }),
    });
  }
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const format: StreamFormat = {
    contentType: 'application/x-ndjson',
    opening: () => [],
    chunk: ({ text, tokens }) => ({ kind: 'content', tokens, text, bytes: line({ ...head(text), done: false }) }),
    closing: () => [
      {
        kind: 'finish',
        finishReason: plan.finishReason,
        bytes: line({ ...head(''), done: true, done_reason: doneReason(plan), ...(api === 'generate' ? { context: [1, 2, 3] } : {}), ...metrics() }),
      },
    ],
    midStreamError: () => [{ kind: 'error', bytes: line({ error: MID_STREAM_ERROR_MESSAGE }) }],
  };
  await streamGeneration(context, plan, format);
}

function doneReason(plan: StreamPlan): string {
  return plan.finishReason === 'length' ? 'length' : 'stop';
}

/** The server's own timings, in ns, from the plan as played: prompt eval = TTFT less loading, eval = first to last token. */
function finalMetrics(context: RouteContext, plan: StreamPlan, promptTokens: number): Record<string, number> {
  const chunks = scheduleChunks(plan, context.receivedMs);
  const ns = (ms: number) => Math.max(0, Math.round(ms * 1e6));
  const firstDue = chunks[0]?.dueMs ?? context.receivedMs;
  const lastDue = chunks.at(-1)?.dueMs ?? firstDue;
  const metrics: Record<string, number> = {
    total_duration: ns(nowMs() - context.receivedMs),
    load_duration: LOAD_DURATION_NS,
    prompt_eval_count: promptTokens,
    prompt_eval_duration: Math.max(0, ns(firstDue - context.receivedMs) - LOAD_DURATION_NS),
    eval_count: plan.outputTokens,
    eval_duration: ns(lastDue - firstDue),
  };
  // Go's omitempty drops zero values.
  for (const key of Object.keys(metrics)) if (metrics[key] === 0) delete metrics[key];
  return metrics;
}

/**
 * The OpenAI Responses API stream as vLLM writes it:
 * `event: <type>\ndata: <json with the same type>\n\n`, every event numbered by
 * `sequence_number`, text in `response.output_text.delta`, `response.completed` last
 * with `usage`, no `[DONE]`; a mid-stream failure is an `error` event. Field order is the
 * OpenAI SDK models' (alphabetical), which vLLM serializes.
 */
import { vllmErrorBody } from '../error-body.js';
import { answerWhenGenerated, streamGeneration, type StreamFrame } from '../generation.js';
import type { StreamPlan } from '../request-plan.js';
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';
const MID_STREAM_ERROR_MESSAGE = 'inferbench reference server: injected mid-stream error (midStreamErrorRate)';

export function registerOpenAiResponsesRoutes(router: Router): void {
  router.add('POST', '/v1/responses', respond);
}

async function respond(context: RouteContext): Promise<void> {
  const body = (await context.readJson()) as Record<string, unknown> | undefined;
  if (!body || (typeof body.input !== 'string' && !Array.isArray(body.input))) {
    return context.sendJson(400, vllmErrorBody(400, '"input" is required (a string or a list of input items)'), 'error');
  }
  const maxOutput = body.max_output_tokens;
  const plan = context.drawStreamPlan({ maxTokens: Number.isInteger(maxOutput) && (maxOutput as number) > 0 ? (maxOutput as number) : undefined });
  if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, vllmErrorBody(context.settings.errorStatus, ERROR_FAULT_MESSAGE), 'error');
  const model = typeof body.model === 'string' && body.model ? body.model : context.settings.model;
  const inputText = typeof body.input === 'string' ? body.input : JSON.stringify(body.input);
  const ids = { response: `resp_${context.id}`, item: `msg_${context.id}` };
  const created = Math.floor(Date.now() / 1000);
  const inputTokens = context.countPromptTokens(inputText);
  const usage = { input_tokens: inputTokens, output_tokens: plan.outputTokens, total_tokens: inputTokens + plan.outputTokens };
  const response = (status: string, text?: string) => ({
    id: ids.response,
    created_at: created,
    model,
    object: 'response',
    output: text === undefined ? [] : [messageItem(ids.item, text, 'completed')],
    status,
    usage: status === 'completed' ? usage : null,
  });
  if (body.stream !== true) {
    return answerWhenGenerated(context, plan, {
      complete: () => response('completed', plan.tokenTexts.join('')),
      failed: () => ({ status: 500, body: vllmErrorBody(500, MID_STREAM_ERROR_MESSAGE) }),
    });
  }
  await streamGeneration(context, plan, responsesStreamFormat(plan, ids, response));
}

function messageItem(id: string, text: string, status: string) {
  return { content: text === '' && status !== 'completed' ? [] : [{ annotations: [], text, type: 'output_text' }], id, role: 'assistant', status, type: 'message' };
}

function responsesStreamFormat(plan: StreamPlan, ids: { response: string; item: string }, response: (status: string, text?: string) => unknown) {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) => {
    const ordered = Object.fromEntries(Object.entries({ ...fields, sequence_number: sequence++, type }).sort(([a], [b]) => a.localeCompare(b)));
    return `event: ${type}\ndata: ${JSON.stringify(ordered)}\n\n`;
  };
  const text = plan.tokenTexts.join('');
  const where = { item_id: ids.item, output_index: 0, content_index: 0 };
  return {
    contentType: 'text/event-stream; charset=utf-8',
    opening: (): StreamFrame[] => [
      { kind: 'role', bytes: event('response.created', { response: response('in_progress') }) },
      { kind: 'role', bytes: event('response.in_progress', { response: response('in_progress') }) },
      { kind: 'role', bytes: event('response.output_item.added', { item: messageItem(ids.item, '', 'in_progress'), output_index: 0 }) },
      { kind: 'role', bytes: event('response.content_part.added', { ...where, part: { annotations: [], text: '', type: 'output_text' } }) },
    ],
    chunk: ({ text: delta, tokens }: { text: string; tokens: number }): StreamFrame => ({
      kind: 'content',
      tokens,
      text: delta,
      bytes: event('response.output_text.delta', { ...where, delta, logprobs: [] }),
    }),
    closing: (): StreamFrame[] => [
      { kind: 'finish', finishReason: plan.finishReason, bytes: event('response.output_text.done', { ...where, text, logprobs: [] }) },
      { kind: 'finish', bytes: event('response.content_part.done', { ...where, part: { annotations: [], text, type: 'output_text' } }) },
      { kind: 'finish', bytes: event('response.output_item.done', { item: messageItem(ids.item, text, 'completed'), output_index: 0 }) },
      { kind: 'usage', bytes: event('response.completed', { response: response('completed', text) }) },
    ],
    midStreamError: (): StreamFrame[] => [{ kind: 'error', bytes: event('error', { code: 'server_error', message: MID_STREAM_ERROR_MESSAGE, param: null }) }],
  };
}

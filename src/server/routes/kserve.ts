/**
 * KServe v2 / Open Inference Protocol over HTTP and Triton's generate extension:
 * `POST /v2/models/{m}/infer` takes JSON tensors and answers once
 * with `outputs` (the text as a BYTES tensor `text_output`); `POST /v2/models/{m}/generate_stream`
 * streams `data: {"model_name","model_version","text_output"}` deltas (the Triton vLLM backend's
 * shape) and ends with the connection, no `[DONE]`. Errors are `{"error":"…"}`, with a status
 * before inference and as an event on the 200 mid-stream.
 */
import { answerWhenGenerated, streamGeneration } from '../generation.js';
import type { GenerationLimits } from '../request-plan.js';
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';
const MID_STREAM_ERROR_MESSAGE = 'inferbench reference server: injected mid-stream error (midStreamErrorRate)';
const MODEL_VERSION = '1';

export function registerKserveRoutes(router: Router): void {
  router.add('POST', '/v2/models/:model/infer', infer);
  router.add('POST', '/v2/models/:model/versions/:version/infer', infer);
  router.add('POST', '/v2/models/:model/generate_stream', generateStream);
  router.add('GET', '/v2/health/ready', (context) => context.send(200, '', 'text/plain', 'content'), { groundTruth: false });
  router.add('GET', '/v2/health/live', (context) => context.send(200, '', 'text/plain', 'content'), { groundTruth: false });
}

function maxTokensOf(parameters: unknown): GenerationLimits {
  const value = (parameters as { max_tokens?: unknown } | undefined)?.max_tokens;
  return { maxTokens: Number.isInteger(value) && (value as number) > 0 ? (value as number) : undefined };
}

async function infer(context: RouteContext): Promise<void> {
  const body = (await context.readJson()) as { id?: unknown; inputs?: unknown; parameters?: unknown } | undefined;
  const inputs = body?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return context.sendJson(400, { error: 'inference request must have at least one input' }, 'error');
  for (const input of inputs as Record<string, unknown>[]) {
    if (typeof input?.name !== 'string' || typeof input.datatype !== 'string' || !Array.isArray(input.shape)) {
      return context.sendJson(400, { error: "input tensor must have 'name', 'datatype' and 'shape'" }, 'error');
    }
  }
  const plan = context.drawStreamPlan(maxTokensOf(body!.parameters));
  if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, { error: ERROR_FAULT_MESSAGE }, 'error');
  const model = context.params.model!;
  await answerWhenGenerated(context, plan, {
    complete: () => ({
      model_name: model,
      model_version: context.params.version ?? MODEL_VERSION,
      ...(typeof body!.id === 'string' ? { id: body!.id } : {}),
      outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [1], data: [plan.tokenTexts.join('')] }],
    }),
    failed: () => ({ status: 500, body: { error: MID_STREAM_ERROR_MESSAGE } }),
  });
}

async function generateStream(context: RouteContext): Promise<void> {
  const body = (await context.readJson()) as { text_input?: unknown; parameters?: unknown } | undefined;
  if (typeof body?.text_input !== 'string') return context.sendJson(400, { error: "missing input 'text_input'" }, 'error');
  const plan = context.drawStreamPlan(maxTokensOf(body.parameters));
  if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, { error: ERROR_FAULT_MESSAGE }, 'error');
  const model = context.params.model!;
  const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
  await streamGeneration(context, plan, {
    contentType: 'text/event-stream; charset=utf-8',
    opening: () => [],
    chunk: ({ text, tokens }) => ({ kind: 'content', tokens, text, bytes: event({ model_name: model, model_version: MODEL_VERSION, text_output: text }) }),
    closing: () => [],
    midStreamError: () => [{ kind: 'error', bytes: event({ error: MID_STREAM_ERROR_MESSAGE }) }],
  });
}

/**
 * TGI's native API, byte for byte: `POST /generate_stream` writes one
 * `data:` event per token (`index` from 1, `generated_text`/`details` null until the last),
 * a final special EOS token carrying `generated_text` and `details` when the model stopped,
 * `:` keep-alive comments on idle streams, and errors as `{"error","error_type"}` events on
 * a 200 (the route returns its SSE unconditionally). `data:` has no space on TGI < 2.1
 * (`tgiLegacyFraming`, axum 0.6). `POST /generate` answers once with `generated_text`.
 */
import { answerWhenGenerated, streamGeneration, type StreamFormat, type StreamFrame } from '../generation.js';
import { IdleKeepAlive } from '../keep-alive.js';
import type { GenerationLimits, StreamPlan } from '../request-plan.js';
import { RequestError, type RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const OVERLOADED = 'inferbench reference server: injected error (errorRate): Model is overloaded';
const GENERATION_ERROR = 'inferbench reference server: injected mid-stream error (midStreamErrorRate): Request failed during generation';

interface TgiRequest {
  limits: GenerationLimits;
  details: boolean;
  promptTokens: number;
  seed: number | null;
}

export function registerTgiRoutes(router: Router): void {
  router.add('POST', '/generate_stream', (context) => generate(context, true));
  router.add('POST', '/generate', (context) => generate(context, false));
}

function parseRequest(body: unknown, countPromptTokens: (text: string) => number): TgiRequest {
  const fields = (body ?? {}) as { inputs?: unknown; parameters?: Record<string, unknown> | null };
  if (typeof fields.inputs !== 'string') throw new RequestError(422, 'Failed to deserialize the JSON body into the target type: missing field `inputs`');
  const parameters = fields.parameters ?? {};
  const maxNewTokens = parameters.max_new_tokens;
  if (maxNewTokens !== undefined && maxNewTokens !== null && (!Number.isInteger(maxNewTokens) || (maxNewTokens as number) < 1)) {
    throw new RequestError(422, 'Input validation error: `max_new_tokens` must be strictly positive');
  }
  return {
    limits: { maxTokens: (maxNewTokens as number | undefined | null) ?? undefined },
    details: parameters.details === true,
    promptTokens: countPromptTokens(fields.inputs),
    seed: typeof parameters.seed === 'number' ? parameters.seed : null,
  };
}

async function generate(context: RouteContext, stream: boolean): Promise<void> {
  let request: TgiRequest;
  try {
    request = parseRequest(await context.readJson(), (text) => context.countPromptTokens(text));
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    return context.sendJson(error.status, { error: error.message, error_type: 'validation' }, 'error');
  }
  const plan = context.drawStreamPlan(request.limits);
  const data = context.settings.tgiLegacyFraming ? 'data:' : 'data: ';
  if (!stream) {
    if (plan.fault.kind === 'error') return context.sendJson(context.settings.errorStatus, { error: OVERLOADED, error_type: 'overloaded' }, 'error');
    return answerWhenGenerated(context, plan, {
      complete: () => ({ generated_text: plan.tokenTexts.join(''), ...(request.details ? { details: details(plan, request) } : {}) }),
      failed: () => ({ status: 424, body: { error: GENERATION_ERROR, error_type: 'generation' } }),
    });
  }
  if (plan.fault.kind === 'error') {
    // Errors before the first token still come as an event on a 200.
    context.startStream(200, { 'content-type': 'text/event-stream', 'x-accel-buffering': 'no' });
    context.writeEvent('error', `${data}${JSON.stringify({ error: OVERLOADED, error_type: 'overloaded' })}\n\n`);
    return context.end();
  }
  const keepAlive = new IdleKeepAlive(context, context.settings.heartbeatMs, ':\n\n');
  await streamGeneration(context, plan, tgiStreamFormat(plan, request, data, keepAlive));
  keepAlive.stop();
}

function details(plan: StreamPlan, request: TgiRequest) {
  // TGI counts the EOS token among generated tokens.
  const generatedTokens = plan.outputTokens + (plan.finishReason === 'stop' ? 1 : 0);
  return { finish_reason: plan.finishReason === 'stop' ? 'eos_token' : 'length', generated_tokens: generatedTokens, seed: request.seed, input_length: request.promptTokens };
}

/** A stable fake token id per word, so the same text carries the same ids. */
function tokenId(text: string): number {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 32000;
  return h + 3;
}

function tgiStreamFormat(plan: StreamPlan, request: TgiRequest, data: string, keepAlive: IdleKeepAlive): StreamFormat {
  const generatedText = plan.tokenTexts.join('');
  let index = 0;
  const event = (text: string, special: boolean, last: boolean) =>
    `${data}${JSON.stringify({
      index: ++index,
      token: { id: special ? 2 : tokenId(text), text, logprob: special ? -0.02 : -0.41, special },
      generated_text: last ? generatedText : null,
      details: last && request.details ? details(plan, request) : null,
    })}\n\n`;
  return {
    contentType: 'text/event-stream',
    opening: () => [],
    chunk: ({ text, tokens, isLast }) => {
      keepAlive.touch();
      const last = isLast && plan.finishReason === 'length';
      return { kind: 'content', tokens, text, bytes: event(text, false, last), ...(last ? { finishReason: 'length' as const } : {}) };
    },
    closing: (): StreamFrame[] => (plan.finishReason === 'stop' ? [{ kind: 'finish', finishReason: 'stop', bytes: event('</s>', true, true) }] : []),
    midStreamError: () => [{ kind: 'error', bytes: `${data}${JSON.stringify({ error: GENERATION_ERROR, error_type: 'generation' })}\n\n` }],
  };
}

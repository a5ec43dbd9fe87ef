/**
 * OpenAI-compatible Chat Completions and Completions, byte for byte as vLLM writes them:
 * compact JSON chunks, `data: …\n\n` framing, no comments or
 * keep-alives, a role chunk with `"content":""` first (chat), `finish_reason` on a final
 * empty chunk after EOS or on the last token chunk at `max_tokens`, a usage chunk with
 * `choices:[]`, and `data: [DONE]` last, even after an error.
 */
import { vllmErrorBody, vllmStreamErrorJson } from '../error-body.js';
import { answerWhenGenerated, streamGeneration, type StreamFormat, type StreamFrame, type WholeAnswerFormat } from '../generation.js';
import type { GenerationLimits, StreamPlan } from '../request-plan.js';
import { RequestError, type RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

type Endpoint = 'chat' | 'completions';

/** The request fields that change what the server sends. */
interface GenerationRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  limits: GenerationLimits;
  promptTokens: number;
}

const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
const DONE_FRAME: StreamFrame = { kind: 'done', bytes: 'data: [DONE]\n\n' };
const MID_STREAM_ERROR_MESSAGE = 'inferbench reference server: injected mid-stream error (midStreamErrorRate)';
const ERROR_FAULT_MESSAGE = 'inferbench reference server: injected error (errorRate)';

export function registerOpenAiRoutes(router: Router): void {
  router.add('POST', '/v1/chat/completions', (context) => answerGeneration(context, 'chat'));
  router.add('POST', '/v1/completions', (context) => answerGeneration(context, 'completions'));
  router.add('GET', '/v1/models', listModels, { groundTruth: false });
}

function listModels(context: RouteContext): void {
  const { model } = context.settings;
  context.sendJson(200, {
    object: 'list',
    data: [{ id: model, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'inferbench', root: model, parent: null }],
  });
}

async function answerGeneration(context: RouteContext, endpoint: Endpoint): Promise<void> {
  const request = parseGenerationRequest(await context.readJson(), endpoint, context.settings.model, (text) => context.countPromptTokens(text));
  const plan = context.drawStreamPlan(request.limits);
  if (plan.fault.kind === 'error') {
    const status = context.settings.errorStatus;
    return context.sendJson(status, vllmErrorBody(status, ERROR_FAULT_MESSAGE), 'error');
  }
  const answer = { context, request, plan, created: Math.floor(Date.now() / 1000) };
  if (request.stream) {
    await streamGeneration(context, plan, endpoint === 'chat' ? chatStreamFormat(answer) : completionStreamFormat(answer));
  } else {
    await answerWhenGenerated(context, plan, endpoint === 'chat' ? chatWholeAnswer(answer) : completionWholeAnswer(answer));
  }
}

function parseGenerationRequest(body: unknown, endpoint: Endpoint, defaultModel: string, countPromptTokens: (text: string) => number): GenerationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError(400, 'request body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  let promptText: string;
  if (endpoint === 'chat') {
    if (!Array.isArray(fields.messages)) throw new RequestError(400, '"messages" is required and must be an array');
    promptText = fields.messages.map(messageText).join('\n\n');
  } else {
    if (fields.prompt === undefined || fields.prompt === null) throw new RequestError(400, '"prompt" is required');
    promptText = Array.isArray(fields.prompt) ? fields.prompt.map(String).join(' ') : String(fields.prompt);
  }
  const stream = fields.stream === true;
  const streamOptions = fields.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !stream) {
    // vLLM's own validation message.
    throw new RequestError(400, 'Stream options can only be defined when `stream=True`.');
  }
  // vLLM's StreamOptions.include_usage defaults to true: sending `stream_options:{}` turns usage on.
  const includeUsage =
    typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>).include_usage !== false;
  // vLLM reads max_completion_tokens before max_tokens.
  const maxTokens = positiveInteger(fields.max_completion_tokens, 'max_completion_tokens') ?? positiveInteger(fields.max_tokens, 'max_tokens');
  return {
    model: typeof fields.model === 'string' && fields.model !== '' ? fields.model : defaultModel,
    stream,
    includeUsage,
    limits: { maxTokens, ignoreEos: fields.ignore_eos === true, minTokens: positiveInteger(fields.min_tokens, 'min_tokens') },
    promptTokens: countPromptTokens(promptText),
  };
}

function positiveInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw new RequestError(400, `"${field}" must be a whole number >= 1`);
  return value as number;
}

function messageText(message: unknown): string {
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part as { text?: unknown } | null)?.text ?? '').join(' ');
  return '';
}

interface Answer {
  context: RouteContext;
  request: GenerationRequest;
  plan: StreamPlan;
  created: number;
}

/** vLLM's UsageInfo field order: prompt, total, completion. */
function usage({ request, plan }: Answer) {
  return { prompt_tokens: request.promptTokens, total_tokens: request.promptTokens + plan.outputTokens, completion_tokens: plan.outputTokens };
}

/** `{"id":…,"object":…,"created":…,"model":…` without its closing brace: the prefix every chunk of one answer shares. */
function chunkHead(id: string, object: string, { request, created }: Answer): string {
  return JSON.stringify({ id, object, created, model: request.model }).slice(0, -1);
}

const sse = (json: string) => `data: ${json}\n\n`;

function midStreamErrorFrames(): StreamFrame[] {
  return [{ kind: 'error', bytes: sse(vllmStreamErrorJson(500, MID_STREAM_ERROR_MESSAGE)) }, DONE_FRAME];
}

function chatStreamFormat(answer: Answer): StreamFormat {
  const head = chunkHead(`chatcmpl-${answer.context.id}`, 'chat.completion.chunk', answer);
  const { plan } = answer;
  return {
    contentType: SSE_CONTENT_TYPE,
    opening: () => [
      {
        kind: 'role',
        bytes: sse(`${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"prompt_token_ids":null}`),
      },
    ],
    chunk: ({ text, tokens, isLast }) => {
      const content = JSON.stringify(text);
      // At max_tokens the last generated token carries the finish itself (no EOS to detokenize to "").
      if (isLast && plan.finishReason === 'length') {
        return {
          kind: 'content',
          tokens,
          text,
          finishReason: 'length',
          bytes: sse(`${head},"choices":[{"index":0,"delta":{"content":${content}},"logprobs":null,"finish_reason":"length","stop_reason":null,"token_ids":null}]}`),
        };
      }
      return {
        kind: 'content',
        tokens,
        text,
        bytes: sse(`${head},"choices":[{"index":0,"delta":{"content":${content}},"logprobs":null,"finish_reason":null,"token_ids":null}]}`),
      };
    },
    closing: () => {
      const frames: StreamFrame[] = [];
      if (plan.finishReason === 'stop') {
        // EOS detokenizes to nothing: an empty content chunk that carries the finish.
        frames.push({
          kind: 'finish',
          finishReason: 'stop',
          bytes: sse(`${head},"choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop","stop_reason":null,"token_ids":null}]}`),
        });
      }
      if (answer.request.includeUsage) frames.push({ kind: 'usage', bytes: sse(`${head},"choices":[],"usage":${JSON.stringify(usage(answer))}}`) });
      frames.push(DONE_FRAME);
      return frames;
    },
    midStreamError: midStreamErrorFrames,
  };
}

function completionStreamFormat(answer: Answer): StreamFormat {
  const head = chunkHead(`cmpl-${answer.context.id}`, 'text_completion', answer);
  const { plan } = answer;
  // /v1/completions serializes with exclude_unset=False: every field appears, `usage:null` included.
  const choiceChunk = (text: string, finishReason: string | null) =>
    sse(
      `${head},"choices":[{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)},"stop_reason":null,"prompt_token_ids":null,"token_ids":null}],"usage":null}`,
    );
  return {
    contentType: SSE_CONTENT_TYPE,
    opening: () => [],
    chunk: ({ text, tokens, isLast }) =>
      isLast && plan.finishReason === 'length'
        ? { kind: 'content', tokens, text, finishReason: 'length', bytes: choiceChunk(text, 'length') }
        : { kind: 'content', tokens, text, bytes: choiceChunk(text, null) },
    closing: () => {
      const frames: StreamFrame[] = [];
      if (plan.finishReason === 'stop') frames.push({ kind: 'finish', finishReason: 'stop', bytes: choiceChunk('', 'stop') });
      if (answer.request.includeUsage) frames.push({ kind: 'usage', bytes: sse(`${head},"choices":[],"usage":${JSON.stringify(usage(answer))}}`) });
      frames.push(DONE_FRAME);
      return frames;
    },
    midStreamError: midStreamErrorFrames,
  };
}

const failedAnswer = () => ({ status: 500, body: vllmErrorBody(500, MID_STREAM_ERROR_MESSAGE) });

function chatWholeAnswer(answer: Answer): WholeAnswerFormat {
  return {
    complete: () => ({
      id: `chatcmpl-${answer.context.id}`,
      object: 'chat.completion',
      created: answer.created,
      model: answer.request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.plan.tokenTexts.join('') },
          logprobs: null,
          finish_reason: answer.plan.finishReason,
          stop_reason: null,
        },
      ],
      usage: usage(answer),
    }),
    failed: failedAnswer,
  };
}

function completionWholeAnswer(answer: Answer): WholeAnswerFormat {
  return {
    complete: () => ({
      id: `cmpl-${answer.context.id}`,
      object: 'text_completion',
      created: answer.created,
      model: answer.request.model,
      choices: [{ index: 0, text: answer.plan.tokenTexts.join(''), logprobs: null, finish_reason: answer.plan.finishReason, stop_reason: null }],
      usage: usage(answer),
    }),
    failed: failedAnswer,
  };
}

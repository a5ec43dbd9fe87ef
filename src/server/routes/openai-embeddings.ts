/**
 * OpenAI-compatible `POST /v1/embeddings`: after a drawn delay, one seeded unit vector per
 * input (default 384 dimensions, or `dimensions`), with `usage.prompt_tokens` as a word count.
 * A missing or empty `input` is a 400 in OpenAI's error shape; ground truth records the answer.
 */
import { vllmErrorBody } from '../error-body.js';
import { estimatePromptTokens } from '../text.js';
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

const DEFAULT_DIMENSIONS = 384;

export function registerOpenAiEmbeddingsRoutes(router: Router): void {
  router.add('POST', '/v1/embeddings', embeddings);
}

async function embeddings(context: RouteContext): Promise<void> {
  const body = (await context.readJson()) as { model?: unknown; input?: unknown; dimensions?: unknown } | undefined;
  const input = body?.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.length > 0 && input.every((t) => typeof t === 'string') ? (input as string[]) : undefined;
  if (!texts) return context.sendJson(400, vllmErrorBody(400, "'input' must be a string or a non-empty list of strings"), 'error');
  const dimensions = Number.isInteger(body!.dimensions) && (body!.dimensions as number) > 0 ? (body!.dimensions as number) : DEFAULT_DIMENSIONS;
  const plan = context.drawDelayPlan();
  if (!(await context.waitUntil(context.receivedMs + plan.delayMs))) return;
  if (plan.fault.kind === 'error') {
    const status = context.settings.errorStatus;
    return context.sendJson(status, vllmErrorBody(status, 'inferbench reference server: injected error (errorRate)'), 'error');
  }
  const promptTokens = texts.reduce((n, t) => n + estimatePromptTokens(t), 0);
  context.sendJson(200, {
    object: 'list',
    model: typeof body!.model === 'string' ? body!.model : 'inferbench-reference',
    data: texts.map((text, index) => ({ object: 'embedding', index, embedding: unitVector(text, dimensions) })),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

/** A deterministic unit vector from the text (same text, same vector), so answers are reproducible. */
function unitVector(text: string, dimensions: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const v = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    v[i] = h / 2 ** 32 - 0.5;
    norm += v[i]! * v[i]!;
  }
  const scale = 1 / Math.sqrt(norm);
  return v.map((x) => Math.round(x * scale * 1e6) / 1e6);
}

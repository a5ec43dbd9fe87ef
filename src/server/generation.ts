import type { GroundTruthEventKind, MarkDetail } from './ground-truth.js';
import type { Fault, StreamPlan } from './request-plan.js';
import type { RouteContext } from './route-context.js';

/** One event of a token stream, in its wire format, with what ground truth should say about it. */
export interface StreamFrame extends MarkDetail {
  kind: GroundTruthEventKind;
  bytes: string;
}

/** Tokens that leave together in one event. */
export interface TokenChunk {
  /** Index of the chunk's first token. */
  firstToken: number;
  tokens: number;
  text: string;
  /** When its last token is "generated": the chunk cannot leave before it. */
  dueMs: number;
  isLast: boolean;
}

/** How one protocol writes a generation; the playback (timing, faults, ground truth) is shared. */
export interface StreamFormat {
  contentType: string;
  /** Events before the first token (vLLM's role chunk), written with it or with the headers (`roleChunkAt`). */
  opening(): StreamFrame[];
  chunk(chunk: TokenChunk): StreamFrame;
  /** Events after the last token (finish, usage, terminator). */
  closing(): StreamFrame[];
  /** Events that report a failure mid-stream (vLLM: an error event, then `[DONE]`). */
  midStreamError(): StreamFrame[];
}

/** How one protocol answers a generation in one piece (OpenAI `stream:false`). */
export interface WholeAnswerFormat {
  complete(): unknown;
  /** The failure answer (status and JSON) when generation fails part way (the mid-stream-error fault). */
  failed(): { status: number; body: unknown };
}

/**
 * Due times from the request's arrival, against absolute targets so timer lateness
 * never accumulates: token i is due at `startMs + ttft + Σ itl[0..i)`.
 */
export function scheduleChunks(plan: StreamPlan, startMs: number): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  let dueMs = startMs + plan.ttftMs;
  for (let first = 0; first < plan.outputTokens; first += plan.tokensPerChunk) {
    const end = Math.min(first + plan.tokensPerChunk, plan.outputTokens);
    for (let token = first + 1; token < end; token++) dueMs += plan.itlMs[token - 1]!;
    chunks.push({
      firstToken: first,
      tokens: end - first,
      text: plan.tokenTexts.slice(first, end).join(''),
      dueMs,
      isLast: end === plan.outputTokens,
    });
    if (end < plan.outputTokens) dueMs += plan.itlMs[end - 1]!;
  }
  return chunks;
}

/** The chunk a mid-stream fault replaces (strikes when that chunk was due), or undefined when none does. */
function faultChunkIndex(fault: Fault, plan: StreamPlan): number | undefined {
  if (fault.kind !== 'mid-stream-close' && fault.kind !== 'mid-stream-error' && fault.kind !== 'stall') return undefined;
  return fault.afterTokens / plan.tokensPerChunk;
}

/**
 * Plays `plan` out as a stream: headers at once, the opening events with the headers or
 * with the first token (`roleChunkAt`), each chunk at its due time, then the closing events.
 * Mid-stream faults strike when their chunk was due; a stall stops writing and holds the
 * connection until the client leaves or the server closes.
 */
export async function streamGeneration(context: RouteContext, plan: StreamPlan, format: StreamFormat): Promise<void> {
  const writeFrames = (frames: StreamFrame[]) => {
    for (const frame of frames) context.writeEvent(frame.kind, frame.bytes, frame);
  };
  context.startStream(200, { 'content-type': format.contentType });
  const openingWithHeaders = context.settings.roleChunkAt === 'headers';
  if (openingWithHeaders) writeFrames(format.opening());
  const chunks = scheduleChunks(plan, context.receivedMs);
  const faultAt = faultChunkIndex(plan.fault, plan);
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (i === faultAt && plan.fault.kind === 'stall') return context.waitForDisconnect();
    if (!(await context.waitUntil(chunk.dueMs))) return;
    if (i === 0 && !openingWithHeaders) writeFrames(format.opening());
    if (i === faultAt) {
      if (plan.fault.kind === 'mid-stream-close') return context.destroyConnection();
      writeFrames(format.midStreamError());
      return context.end();
    }
    writeFrames([format.chunk(chunk)]);
  }
  writeFrames(format.closing());
  context.end();
}

/**
 * Plays `plan` out as one answer written when the last token is due. Faults strike as
 * in a stream: the connection drops, a failure answer comes, or nothing comes at all.
 */
export async function answerWhenGenerated(context: RouteContext, plan: StreamPlan, format: WholeAnswerFormat): Promise<void> {
  const chunks = scheduleChunks(plan, context.receivedMs);
  const faultAt = faultChunkIndex(plan.fault, plan);
  if (faultAt !== undefined) {
    if (plan.fault.kind === 'stall') return context.waitForDisconnect();
    if (!(await context.waitUntil(chunks[faultAt]!.dueMs))) return;
    if (plan.fault.kind === 'mid-stream-close') return context.destroyConnection();
    const { status, body } = format.failed();
    return context.sendJson(status, body, 'error');
  }
  if (!(await context.waitUntil(chunks[chunks.length - 1]!.dueMs))) return;
  context.sendJson(200, format.complete(), 'content', {
    tokens: plan.outputTokens,
    text: plan.tokenTexts.join(''),
    finishReason: plan.finishReason,
  });
}

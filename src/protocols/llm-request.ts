import type { Timeline } from '../model/timeline.js';
import type { LlmRequest, RequestInput } from './types.js';

/** A generated conversation as one completion prompt (completions APIs, TGI, Ollama generate): the messages' text, one paragraph each. */
export function completionPrompt(llm: LlmRequest): string | undefined {
  return llm.messages?.map((m) => m.content).join('\n\n');
}

/** The prompt text of a JSON request body as sent: `prompt` / `inputs`, or the chat messages' text joined (no chat template). */
export function promptTextOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.prompt === 'string') return body.prompt;
  if (typeof body.inputs === 'string') return body.inputs;
  if (!Array.isArray(body.messages)) return undefined;
  return body.messages.map((m) => messageText((m as { content?: unknown } | null)?.content)).join('\n\n');
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text : '')).join('');
  return '';
}

/**
 * Sends one request of a text protocol whose body is JSON: lays the workload's payload over
 * the rendered body (`apply`), then notes the prompt as sent and the session turn on the
 * timeline. The body is parsed back from the built request, before the timed section starts.
 */
export async function sendTextRequest(
  input: RequestInput,
  req: { body?: string | Uint8Array },
  apply: (body: Record<string, unknown>, llm: LlmRequest) => void,
  exchange: () => Promise<Timeline>,
): Promise<Timeline> {
  let body: Record<string, unknown> | undefined;
  if (typeof req.body === 'string') {
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      body = undefined; // a raw string body: nothing to lay over
    }
  }
  if (body && input.llm) {
    apply(body, input.llm);
    req.body = JSON.stringify(body);
  }
  const t = await exchange();
  if (body) t.prompt = promptTextOf(body);
  if (input.llm?.turn !== undefined) t.turn = input.llm.turn;
  return t;
}

import type { LlmRequest } from './types.js';

/** A generated conversation as one completion prompt (completions APIs, TGI, Ollama generate): the messages' text, one paragraph each. */
export function completionPrompt(llm: LlmRequest): string | undefined {
  return llm.messages?.map((m) => m.content).join('\n\n');
}

import type { ChatMessage } from '../protocols/types.js';
import type { DatasetRow } from '../scenario/dataset.js';

/** One conversation of a dataset: an optional system message, then turns of a user message and the reply the dataset recorded. */
export interface Conversation {
  system?: string;
  turns: { user: string; assistant?: string }[];
}

export const CONVERSATION_FORMATS = ['sharegpt', 'openai-messages'] as const;
export type ConversationFormat = (typeof CONVERSATION_FORMATS)[number];

// ShareGPT names its speakers in several ways across the dumps in circulation.
const SHAREGPT_ROLES: Record<string, ChatMessage['role']> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  chatgpt: 'assistant',
  assistant: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
  system: 'system',
};

/** The conversation format of a row, by its shape: `conversations: [{from, value}]` (ShareGPT) or `messages: [{role, content}]`. */
export function conversationFormatOf(row: DatasetRow): ConversationFormat | undefined {
  if (Array.isArray(row.conversations)) return 'sharegpt';
  if (Array.isArray(row.messages)) return 'openai-messages';
  return undefined;
}

/**
 * A dataset row as a conversation, or a reason it is not one. Messages are paired in order:
 * each user message opens a turn and the next assistant message (if any) is its recorded reply;
 * consecutive user messages are joined into one turn.
 */
export function conversationOf(row: DatasetRow, format: ConversationFormat): Conversation | string {
  const raw = format === 'sharegpt' ? row.conversations : row.messages;
  if (!Array.isArray(raw)) return format === 'sharegpt' ? 'no "conversations" list' : 'no "messages" list';
  const messages: ChatMessage[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const o = m as Record<string, unknown>;
    const role = format === 'sharegpt' ? SHAREGPT_ROLES[String(o.from ?? '').toLowerCase()] : (['system', 'user', 'assistant'].includes(String(o.role)) ? (o.role as ChatMessage['role']) : undefined);
    const content = format === 'sharegpt' ? o.value : textOf(o.content);
    if (!role || typeof content !== 'string') continue;
    messages.push({ role, content });
  }
  const conversation: Conversation = { turns: [] };
  for (const m of messages) {
    const last = conversation.turns.at(-1);
    if (m.role === 'system') {
      if (conversation.turns.length === 0) conversation.system = conversation.system ? `${conversation.system}\n${m.content}` : m.content;
    } else if (m.role === 'user') {
      if (last && last.assistant === undefined) last.user += `\n${m.content}`;
      else conversation.turns.push({ user: m.content });
    } else if (last && last.assistant === undefined) last.assistant = m.content;
  }
  if (conversation.turns.length === 0) return 'no user message';
  return conversation;
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return undefined;
}

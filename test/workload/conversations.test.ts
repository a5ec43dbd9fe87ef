import { describe, expect, it } from 'vitest';
import { conversationFormatOf, conversationOf } from '../../src/workload/conversations.js';

describe('conversation datasets', () => {
  it('reads ShareGPT rows into turns of a user message and the recorded reply', () => {
    const row = {
      id: 'x',
      conversations: [
        { from: 'system', value: 'Be brief.' },
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello!' },
        { from: 'human', value: 'Part one' },
        { from: 'human', value: 'part two' },
        { from: 'chatgpt', value: 'Both parts.' },
        { from: 'human', value: 'Last' },
      ],
    };
    expect(conversationFormatOf(row)).toBe('sharegpt');
    expect(conversationOf(row, 'sharegpt')).toEqual({
      system: 'Be brief.',
      turns: [{ user: 'Hi', assistant: 'Hello!' }, { user: 'Part one\npart two', assistant: 'Both parts.' }, { user: 'Last' }],
    });
  });

  it('reads OpenAI messages rows (string or text-part content) and says why a row is not a conversation', () => {
    const row = { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is ' }, { type: 'text', text: 'KV?' }] }, { role: 'assistant', content: 'A cache.' }] };
    expect(conversationFormatOf(row)).toBe('openai-messages');
    expect(conversationOf(row, 'openai-messages')).toEqual({ turns: [{ user: 'What is KV?', assistant: 'A cache.' }] });
    expect(conversationOf({ messages: [{ role: 'assistant', content: 'only me' }] }, 'openai-messages')).toBe('no user message');
    expect(conversationOf({ prompt: 'x' }, 'sharegpt')).toBe('no "conversations" list');
    expect(conversationFormatOf({ prompt: 'x' })).toBeUndefined();
  });
});

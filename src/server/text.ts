import type { Random } from './seeded-random.js';

/**
 * Words the emulated model "generates". One token is one word with a leading space,
 * so a client's extracted text can be compared to ground truth character for
 * character, and whitespace splitting counts the tokens exactly.
 * Plain ASCII: multi-byte text is a client concern tested elsewhere, not noise here.
 */
const VOCABULARY = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea ' +
  'commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur ' +
  'excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

/** `count` token texts drawn from `random`, each ` word`. */
export function generateTokenTexts(count: number, random: Random): string[] {
  const tokens = new Array<string>(count);
  for (let i = 0; i < count; i++) tokens[i] = ' ' + VOCABULARY[Math.floor(random() * VOCABULARY.length)];
  return tokens;
}

/** A rough prompt length: whitespace-separated words (`promptTokenizer: 'words'`). */
export function estimatePromptTokens(text: string): number {
  const words = text.match(/\S+/g);
  return words ? words.length : 0;
}

/**
 * The counter behind `usage.prompt_tokens`. `o200k_base` (the default) counts as a client's
 * default tokenizer does, so prompts a client built to N tokens are reported as N, as a real
 * server reports its own tokenizer's count. Loaded once per process (its tables take a few
 * hundred ms to load).
 */
export async function loadPromptCounter(kind: 'o200k_base' | 'words'): Promise<(text: string) => number> {
  if (kind === 'words') return estimatePromptTokens;
  const { encode } = await import('gpt-tokenizer/encoding/o200k_base');
  return (text) => (text ? encode(text).length : 0);
}

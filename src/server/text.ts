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

/**
 * A rough prompt length for `usage.prompt_tokens`: whitespace-separated words.
 * Real servers run a tokenizer; ours only needs a stable, plausible number.
 */
export function estimatePromptTokens(text: string): number {
  const words = text.match(/\S+/g);
  return words ? words.length : 0;
}

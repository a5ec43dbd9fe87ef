/**
 * Client-side token counting with gpt-tokenizer, used when a server reports no usage
 * and to report both counts beside the server's. The encoding tables are large, so
 * they load only when a run asks for a tokenizer.
 */

export type TokenizerEncoding = 'o200k_base' | 'cl100k_base';

/** A token counter: the number of tokens `encode(text)` yields. */
export type TokenCounter = (text: string) => number;

const loaded = new Map<TokenizerEncoding, Promise<TokenCounter>>();

/** Loads (once per encoding) and returns a synchronous token counter. o200k_base is GPT-4o's encoding. */
export function loadTokenCounter(encoding: TokenizerEncoding = 'o200k_base'): Promise<TokenCounter> {
  let counter = loaded.get(encoding);
  if (!counter) {
    counter = importEncoding(encoding).then(({ encode }) => (text: string) => (text ? encode(text).length : 0));
    loaded.set(encoding, counter);
  }
  return counter;
}

function importEncoding(encoding: TokenizerEncoding): Promise<{ encode: (text: string) => number[] }> {
  switch (encoding) {
    case 'o200k_base':
      return import('gpt-tokenizer/encoding/o200k_base');
    case 'cl100k_base':
      return import('gpt-tokenizer/encoding/cl100k_base');
  }
}

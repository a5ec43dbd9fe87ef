import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_SENTENCES } from '../../src/workload/corpus.js';

/**
 * A small Hugging Face tokenizer.json written for the tests: a WordLevel model over the
 * corpus's words and punctuation, split by the Whitespace pre-tokenizer (`\w+|[^\w\s]+`),
 * so counts are easy to check by hand and any corpus text tokenizes with no unknown word.
 */
export function writeWordLevelTokenizer(extraWords: string[] = []): string {
  const words = new Set<string>();
  for (const s of [...CORPUS_SENTENCES, ...extraWords]) for (const w of s.match(/\w+|[^\w\s]+/g) ?? []) words.add(w);
  const vocab: Record<string, number> = { '[UNK]': 0 };
  for (const w of [...words].sort()) vocab[w] = Object.keys(vocab).length;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
  };
  const dir = mkdtempSync(join(tmpdir(), 'inferbench-tokenizer-'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  return dir;
}

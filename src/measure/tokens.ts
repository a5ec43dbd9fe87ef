/**
 * Client-side tokenizers: gpt-tokenizer's OpenAI encodings, or a model's own `tokenizer.json`
 * (Hugging Face format) through @huggingface/tokenizers, a pure-JS implementation. They count
 * tokens when a server reports no usage (and beside its usage when it does) and build the
 * synthetic prompts of `--input-tokens`. Tables are large, so each loads only when a run asks
 * for it, once per process.
 *
 * @huggingface/tokenizers was chosen over @lenml/tokenizers by measurement (BENCHMARKS.md,
 * "Hugging Face tokenizer.json in JavaScript"): both gave token ids identical to the Rust
 * `tokenizers` on 400 mixed texts under three tokenizers; it is a third of the size, has no
 * dependencies and is maintained by Hugging Face.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../model/config-error.js';

export const TOKENIZER_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type TokenizerEncoding = (typeof TOKENIZER_ENCODINGS)[number];

/** A token counter: the number of tokens `encode(text)` yields (no special tokens added). */
export type TokenCounter = (text: string) => number;

/** A tokenizer that can also build text: what the workload generators need. */
export interface Tokenizer {
  /** `o200k_base`, `cl100k_base`, or the tokenizer.json path. */
  name: string;
  /** Token ids of the text as it is, without special tokens (BOS, chat templates). */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  count: TokenCounter;
}

/** What a scenario names: `auto` (o200k_base), an encoding, or a path to a tokenizer.json (or its folder). */
export type TokenizerSpec = 'auto' | TokenizerEncoding | (string & {});

const loaded = new Map<string, Promise<Tokenizer>>();

/** Loads (once per spec) a tokenizer. A missing or malformed tokenizer.json is a ConfigError naming `field`. */
export function loadTokenizer(spec: TokenizerSpec = 'auto', field = 'tokenizer'): Promise<Tokenizer> {
  const key = spec === 'auto' ? 'o200k_base' : spec;
  let tokenizer = loaded.get(key);
  if (!tokenizer) {
    tokenizer = (TOKENIZER_ENCODINGS as readonly string[]).includes(key) ? loadEncoding(key as TokenizerEncoding) : loadTokenizerJson(key, field);
    loaded.set(key, tokenizer);
    tokenizer.catch(() => loaded.delete(key));
  }
  return tokenizer;
}

/** Loads (once per encoding) and returns a synchronous token counter. o200k_base is GPT-4o's encoding. */
export async function loadTokenCounter(spec: TokenizerSpec = 'o200k_base'): Promise<TokenCounter> {
  return (await loadTokenizer(spec)).count;
}

async function loadEncoding(encoding: TokenizerEncoding): Promise<Tokenizer> {
  const { encode, decode } = await importEncoding(encoding);
  return { name: encoding, encode: (text) => encode(text), decode: (ids) => decode(ids as number[]), count: (text) => (text ? encode(text).length : 0) };
}

function importEncoding(encoding: TokenizerEncoding): Promise<{ encode: (text: string) => number[]; decode: (ids: number[]) => string }> {
  switch (encoding) {
    case 'o200k_base':
      return import('gpt-tokenizer/encoding/o200k_base');
    case 'cl100k_base':
      return import('gpt-tokenizer/encoding/cl100k_base');
  }
}

/** A Hugging Face `tokenizer.json` (with `tokenizer_config.json` beside it when there is one). */
async function loadTokenizerJson(path: string, field: string): Promise<Tokenizer> {
  const problem = (message: string) => new ConfigError([{ path: field, message }]);
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'tokenizer.json');
  } catch (err) {
    throw problem(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give ${TOKENIZER_ENCODINGS.join(', ')}, or the path of a model's tokenizer.json (or its folder)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw problem(`cannot read ${file} as a tokenizer.json: ${(err as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !('model' in json)) throw problem(`${file} is not a Hugging Face tokenizer.json (it has no "model")`);
  let config: unknown = {};
  try {
    config = JSON.parse(await readFile(join(dirname(file), 'tokenizer_config.json'), 'utf8'));
  } catch {
    // Optional: tokenizer.json alone describes the tokenization.
  }
  const { Tokenizer: HfTokenizer } = await import('@huggingface/tokenizers');
  let hf: InstanceType<typeof HfTokenizer>;
  try {
    hf = new HfTokenizer(json, config as object);
  } catch (err) {
    throw problem(`${file}: @huggingface/tokenizers cannot build a tokenizer from it: ${(err as Error).message}`);
  }
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false }).ids;
  return {
    name: file,
    encode,
    decode: (ids) => hf.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    count: (text) => (text ? encode(text).length : 0),
  };
}

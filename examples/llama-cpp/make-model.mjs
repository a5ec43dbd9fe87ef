#!/usr/bin/env node
/**
 * Writes a tiny GGUF v3 model of the `llama` architecture with seeded random weights, so a
 * real llama.cpp engine has something to run where no weights can be downloaded.
 *
 * Written from the GGUF format itself (little-endian: magic "GGUF", version 3, tensor and
 * key-value counts, the key-value pairs, the tensor infos, padding to `general.alignment`,
 * then the tensor data) and the key names llama.cpp reads for `llama`. The text it generates
 * is gibberish; the work per token (2 transformer blocks, 128-wide) is real.
 *
 *   node make-model.mjs [out.gguf] [--seed N]
 *
 * The vocabulary is SentencePiece-style (`tokenizer.ggml.model = "llama"`): <unk>, <s>, </s>,
 * the 256 byte tokens <0x00>..<0xFF>, then "▁" (the word boundary) and printable ASCII, one
 * token per character, so any text tokenizes to about one token per character. The output rows
 * of every token that is not a plain character (EOS, the other control tokens, the byte
 * tokens) are zero: their logit is always 0 while the best of ~95 random logits is above it,
 * so greedy decoding never ends early and always emits whole characters.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../seeded-random.mjs';

export const MODEL_SHAPE = Object.freeze({ layers: 2, embedding: 128, heads: 4, feedForward: 256, context: 1024 });

const GGUF_VERSION = 3;
const ALIGNMENT = 32;
// gguf value types (gguf.h)
const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
// ggml tensor types
const GGML_F32 = 0;
// llama.cpp token types
const TOKEN = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 };

/** The SentencePiece-style vocabulary: tokens, scores and types, with the special ids. */
export function vocabulary() {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN.UNKNOWN, TOKEN.CONTROL, TOKEN.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN.BYTE);
  }
  tokens.push('\u2581');
  types.push(TOKEN.NORMAL);
  for (let c = 33; c <= 126; c++) {
    tokens.push(String.fromCharCode(c));
    types.push(TOKEN.NORMAL);
  }
  // Scores only rank merges; with single characters there are none to rank.
  const scores = tokens.map((_, i) => (types[i] === TOKEN.NORMAL ? -i : 0));
  return { tokens, scores, types, unk: 0, bos: 1, eos: 2 };
}

/** Normal(0, std) by Box-Muller. */
function gaussian(random, std) {
  return () => std * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The tensors of a llama model: [name, dims (innermost first, as ggml's ne), Float32Array]. */
function tensors(shape, vocab, seed) {
  const { layers, embedding: d, feedForward: ff } = shape;
  const n = vocab.tokens.length;
  const random = seededRandom(seed);
  const normal = gaussian(random, 0.5);
  const filled = (count, value) => new Float32Array(count).fill(value);
  const weights = (count, std) => {
    const out = new Float32Array(count);
    const draw = gaussian(random, std);
    for (let i = 0; i < count; i++) out[i] = draw();
    return out;
  };
  const list = [['token_embd.weight', [d, n], weights(d * n, 1)]];
  for (let l = 0; l < layers; l++) {
    const scale = 1 / Math.sqrt(d);
    list.push(
      [`blk.${l}.attn_norm.weight`, [d], filled(d, 1)],
      [`blk.${l}.attn_q.weight`, [d, d], weights(d * d, scale)],
      [`blk.${l}.attn_k.weight`, [d, d], weights(d * d, scale)],
      [`blk.${l}.attn_v.weight`, [d, d], weights(d * d, scale)],
      [`blk.${l}.attn_output.weight`, [d, d], weights(d * d, scale)],
      [`blk.${l}.ffn_norm.weight`, [d], filled(d, 1)],
      [`blk.${l}.ffn_gate.weight`, [d, ff], weights(d * ff, scale)],
      [`blk.${l}.ffn_up.weight`, [d, ff], weights(d * ff, scale)],
      [`blk.${l}.ffn_down.weight`, [ff, d], weights(ff * d, 1 / Math.sqrt(ff))],
    );
  }
  const output = new Float32Array(d * n);
  for (let t = 0; t < n; t++) {
    if (vocab.types[t] !== TOKEN.NORMAL) continue; // zero row: logit 0, never the greedy pick
    for (let i = 0; i < d; i++) output[t * d + i] = normal();
  }
  list.push(['output_norm.weight', [d], filled(d, 1)], ['output.weight', [d, n], output]);
  return list;
}

/** Little-endian byte writer for the GGUF header and metadata. */
class Bytes {
  parts = [];
  length = 0;
  push(buf) {
    this.parts.push(buf);
    this.length += buf.length;
  }
  u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(alignment) {
    const extra = (alignment - (this.length % alignment)) % alignment;
    if (extra) this.push(Buffer.alloc(extra));
  }
}

/** The whole GGUF file as one Buffer. */
export function ggufModel({ seed = 7, shape = MODEL_SHAPE } = {}) {
  const vocab = vocabulary();
  const arch = 'llama';
  const kv = [
    ['general.architecture', T.STRING, arch],
    ['general.name', T.STRING, 'inferbench-tiny-random-llama'],
    ['general.alignment', T.UINT32, ALIGNMENT],
    [`${arch}.context_length`, T.UINT32, shape.context],
    [`${arch}.embedding_length`, T.UINT32, shape.embedding],
    [`${arch}.block_count`, T.UINT32, shape.layers],
    [`${arch}.feed_forward_length`, T.UINT32, shape.feedForward],
    [`${arch}.attention.head_count`, T.UINT32, shape.heads],
    [`${arch}.attention.head_count_kv`, T.UINT32, shape.heads],
    [`${arch}.attention.layer_norm_rms_epsilon`, T.FLOAT32, 1e-5],
    [`${arch}.rope.dimension_count`, T.UINT32, shape.embedding / shape.heads],
    [`${arch}.vocab_size`, T.UINT32, vocab.tokens.length],
    ['tokenizer.ggml.model', T.STRING, 'llama'],
    ['tokenizer.ggml.tokens', T.ARRAY, [T.STRING, vocab.tokens]],
    ['tokenizer.ggml.scores', T.ARRAY, [T.FLOAT32, vocab.scores]],
    ['tokenizer.ggml.token_type', T.ARRAY, [T.INT32, vocab.types]],
    ['tokenizer.ggml.unknown_token_id', T.UINT32, vocab.unk],
    ['tokenizer.ggml.bos_token_id', T.UINT32, vocab.bos],
    ['tokenizer.ggml.eos_token_id', T.UINT32, vocab.eos],
    ['tokenizer.ggml.add_bos_token', T.BOOL, true],
    ['tokenizer.ggml.add_eos_token', T.BOOL, false],
  ];
  const list = tensors(shape, vocab, seed);

  const head = new Bytes();
  head.push(Buffer.from('GGUF', 'ascii'));
  head.u32(GGUF_VERSION);
  head.u64(list.length);
  head.u64(kv.length);
  const value = (type, v) => {
    if (type === T.STRING) head.str(v);
    else if (type === T.UINT32) head.u32(v);
    else if (type === T.INT32) head.i32(v);
    else if (type === T.FLOAT32) head.f32(v);
    else if (type === T.BOOL) head.push(Buffer.from([v ? 1 : 0]));
    else throw new Error(`no writer for gguf type ${type}`);
  };
  for (const [key, type, v] of kv) {
    head.str(key);
    head.u32(type);
    if (type === T.ARRAY) {
      const [itemType, items] = v;
      head.u32(itemType);
      head.u64(items.length);
      for (const item of items) value(itemType, item);
    } else value(type, v);
  }
  // Tensor infos: offsets are from the start of the data section, each aligned.
  let offset = 0;
  const offsets = [];
  for (const [name, dims, data] of list) {
    head.str(name);
    head.u32(dims.length);
    for (const d of dims) head.u64(d);
    head.u32(GGML_F32);
    head.u64(offset);
    offsets.push(offset);
    offset += data.byteLength;
    offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
  }
  head.pad(ALIGNMENT);
  const data = Buffer.alloc(offset);
  list.forEach(([, , values], i) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(data, offsets[i]));
  return Buffer.concat([...head.parts, data]);
}

/**
 * The same vocabulary as a Hugging Face tokenizer.json (llama-2 style: prepend "▁", spaces to
 * "▁", BPE with no merges and byte fallback), so a client tokenizer counts exactly what the
 * engine counts: `inferbench --tokenizer tokenizer.json` gives the engine's prompt tokens less
 * its BOS.
 */
export function tokenizerJson() {
  const vocab = vocabulary();
  const special = (id) => ({ id, content: vocab.tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(vocab.unk), special(vocab.bos), special(vocab.eos)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [vocab.bos], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab.tokens.map((t, i) => [t, i])),
      merges: [],
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args.splice(seedAt, 2)[1]) : 7;
  if (!Number.isInteger(seed)) throw new Error('--seed: expected a whole number');
  const out = args[0] ?? 'tiny-llama.gguf';
  const file = ggufModel({ seed });
  writeFileSync(out, file);
  const tokenizer = join(dirname(out), 'tokenizer.json');
  writeFileSync(tokenizer, JSON.stringify(tokenizerJson()));
  console.error(`wrote ${out} (${(file.length / 1e6).toFixed(2)} MB, seed ${seed}) and ${tokenizer}`);
}

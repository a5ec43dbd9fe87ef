// onnxruntime-node in process, for `inferbench overhead` and `inferbench run --module`: greedy
// decoding of `tokens` characters with the tiny recurrent model make-model.mjs writes, one
// InferenceSession.run per token (the graph is one step: the loop, the embedding lookup and the
// argmax are ours, as in any decoding loop written against onnxruntime).
//   generate(input)          decode, return the whole text
//   stream(input, onToken)   decode, hand each character to the callback as it is produced
//   streamAsync(input)       an async generator yielding each character
// `input`: { tokens: 64, seed: 0 } (the first token's id) or { tokens, prompt: "text" }.
// server.mjs serves the same model through setup(), promptTokens() and decode().
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { onnxModel, SHAPE, weights } from './make-model.mjs';

const MODEL_PATH = fileURLToPath(new URL('./tiny-rnn.onnx', import.meta.url));
/** One token per character: space, the 94 printable ASCII characters, newline. */
const VOCAB = [' ', ...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)), '\n'];
const UNKNOWN = VOCAB.indexOf('?');
let session;
let embedding;

export async function setup() {
  if (!existsSync(MODEL_PATH)) writeFileSync(MODEL_PATH, onnxModel().model);
  embedding = weights().embedding;
  // One intra-op thread: the 2-core development machine is shared.
  session = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

export async function teardown() {
  await session?.release();
}

/**
 * A text's token ids as the model evaluates them: one per character (tabs as spaces, other
 * characters outside the vocabulary as "?"); an empty text is one space, so there is a first input.
 */
export function promptTokens(text) {
  const ids = Array.from(text, (ch) => (ch === '\t' ? 0 : ch === '\r' ? VOCAB.length - 1 : VOCAB.indexOf(ch)));
  return ids.length ? ids.map((id) => (id < 0 ? UNKNOWN : id)) : [0];
}

/**
 * The decoding loop every mode and the server share: the prompt's tokens through the cell one
 * session.run each (prefill), then `n` greedy tokens, one session.run each, yielded as
 * characters. Stops early when `signal` aborts.
 */
export async function* decode(prompt, n, signal) {
  let h = new ort.Tensor('float32', new Float32Array(SHAPE.hidden), [1, SHAPE.hidden]);
  const step = async (token) => {
    const x = new ort.Tensor('float32', embedding.subarray(token * SHAPE.embed, (token + 1) * SHAPE.embed), [1, SHAPE.embed]);
    const out = await session.run({ x, h });
    h = out.h_next;
    return out.logits.data;
  };
  for (let i = 0; i < prompt.length - 1; i++) await step(prompt[i]);
  let token = prompt.at(-1);
  for (let i = 0; i < n && !signal?.aborted; i++) {
    const logits = await step(token);
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
    token = best;
    yield VOCAB[token];
  }
}

const decodeInput = (input) =>
  decode(typeof input?.prompt === 'string' ? promptTokens(input.prompt) : [(input?.seed ?? 0) % SHAPE.vocab], input?.tokens ?? 64);

export async function generate(input) {
  let text = '';
  for await (const ch of decodeInput(input)) text += ch;
  return { text, tokens: input?.tokens ?? 64 };
}

export async function stream(input, onToken) {
  for await (const ch of decodeInput(input)) onToken(ch);
}

export async function* streamAsync(input) {
  yield* decodeInput(input);
}

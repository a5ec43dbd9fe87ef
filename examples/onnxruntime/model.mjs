// onnxruntime-node in process, for `inferbench overhead` and `inferbench run --module`: greedy
// decoding of `tokens` characters with the tiny recurrent model make-model.mjs writes, one
// InferenceSession.run per token (the graph is one step: the loop, the embedding lookup and the
// argmax are ours, as in any decoding loop written against onnxruntime).
//   generate(input)          decode, return the whole text
//   stream(input, onToken)   decode, hand each character to the callback as it is produced
//   streamAsync(input)       an async generator yielding each character
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { onnxModel, SHAPE, weights } from './make-model.mjs';

const MODEL_PATH = fileURLToPath(new URL('./tiny-rnn.onnx', import.meta.url));
const VOCAB = [' ', ...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)), '\n'];
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

/** The decoding loop every mode shares; `emit` receives each character as it is produced. */
async function* decode(input) {
  const n = input?.tokens ?? 64;
  let token = (input?.seed ?? 0) % SHAPE.vocab;
  let h = new ort.Tensor('float32', new Float32Array(SHAPE.hidden), [1, SHAPE.hidden]);
  for (let i = 0; i < n; i++) {
    const x = new ort.Tensor('float32', embedding.subarray(token * SHAPE.embed, (token + 1) * SHAPE.embed), [1, SHAPE.embed]);
    const out = await session.run({ x, h });
    h = out.h_next;
    const logits = out.logits.data;
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
    token = best;
    yield VOCAB[token];
  }
}

export async function generate(input) {
  let text = '';
  for await (const ch of decode(input)) text += ch;
  return { text, tokens: input?.tokens ?? 64 };
}

export async function stream(input, onToken) {
  for await (const ch of decode(input)) onToken(ch);
}

export async function* streamAsync(input) {
  yield* decode(input);
}

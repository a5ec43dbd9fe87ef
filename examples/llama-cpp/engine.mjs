// llama.cpp through node-llama-cpp on the CPU: loads (writing it first if needed) the tiny
// seeded-random GGUF model that make-model.mjs writes, with one context of N sequences.
// Shared by model.mjs (in process, `inferbench overhead`) and server.mjs (OpenAI-compatible).
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { ggufModel, MODEL_SHAPE, tokenizerJson } from './make-model.mjs';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('./tiny-llama.gguf', import.meta.url));
/** The model's vocabulary as a Hugging Face tokenizer.json, for `inferbench --tokenizer`. */
export const TOKENIZER_PATH = fileURLToPath(new URL('./tokenizer.json', import.meta.url));

/**
 * `threads`: llama.cpp's compute threads per context. On the 2-core development machine
 * 1 thread gave steady speed; 2 threads collapsed to 3-130 tok/s whenever other work ran.
 */
export async function loadEngine({ modelPath = DEFAULT_MODEL_PATH, threads = 1, sequences = 1, contextSize = MODEL_SHAPE.context } = {}) {
  if (!existsSync(modelPath)) writeFileSync(modelPath, ggufModel());
  if (!existsSync(TOKENIZER_PATH)) writeFileSync(TOKENIZER_PATH, JSON.stringify(tokenizerJson()));
  // build: 'never' loads the CPU binary shipped in @node-llama-cpp/<platform> (npm ci --ignore-scripts
  // skips node-llama-cpp's postinstall, which would otherwise try to download or build one).
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  const model = await llama.loadModel({ modelPath });
  // contextSize is per sequence (node-llama-cpp gives each its own cells).
  const context = await model.createContext({ contextSize, sequences, threads });
  const slots = [];
  for (let i = 0; i < sequences; i++) {
    const sequence = context.getSequence();
    slots.push({ sequence, completion: new LlamaCompletion({ contextSequence: sequence }) });
  }
  return {
    llama,
    model,
    context,
    slots,
    /** Prompt tokens as the engine evaluates them: BOS (this vocabulary adds one) and the text's tokens. */
    promptTokens(text) {
      const tokens = model.tokenize(text);
      return model.tokens.bos === null ? tokens : [model.tokens.bos, ...tokens];
    },
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

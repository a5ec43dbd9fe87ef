// The llama.cpp engine in process, for `inferbench overhead` and `inferbench run --module`:
// the same greedy generation of `tokens` tokens three ways, as the engine offers them.
//   generate(input)          LlamaCompletion.generateCompletion(prompt, { maxTokens }): the whole text
//   stream(input, onToken)   the same call with its onTextChunk callback (one chunk per token here)
//   streamAsync(input)       LlamaContextSequence.evaluate(tokens): the engine's async iterator of tokens
// Every call starts from an empty KV cache, so no call reuses another's prompt.
import { loadEngine } from './engine.mjs';

const DEFAULT_PROMPT = 'Explain KV caching in one paragraph.';
const DEFAULT_TOKENS = 64;
let engine;
let slot;

export async function setup() {
  engine = await loadEngine({ threads: Number(process.env.LLAMA_THREADS ?? 1) });
  slot = engine.slots[0];
}

export async function teardown() {
  await engine?.close();
  engine = undefined;
}

const promptOf = (input) => input?.prompt ?? DEFAULT_PROMPT;
const tokensOf = (input) => input?.tokens ?? DEFAULT_TOKENS;

export async function generate(input) {
  await slot.sequence.clearHistory();
  return slot.completion.generateCompletion(promptOf(input), { maxTokens: tokensOf(input) });
}

export async function stream(input, onToken) {
  await slot.sequence.clearHistory();
  await slot.completion.generateCompletion(promptOf(input), { maxTokens: tokensOf(input), onTextChunk: onToken });
}

export async function* streamAsync(input) {
  await slot.sequence.clearHistory();
  const max = tokensOf(input);
  if (max <= 0) return;
  let produced = 0;
  // evaluate() feeds the prompt, then yields each sampled token and feeds it back (greedy by default).
  for await (const token of slot.sequence.evaluate(engine.promptTokens(promptOf(input)))) {
    yield engine.model.detokenize([token]);
    if (++produced >= max) break;
  }
}

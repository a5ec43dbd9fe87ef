import { z } from 'zod';
import { tokenLengthSchema } from './lengths.js';

/**
 * LLM workload generators (`workload:` in a scenario): synthetic prompts of N ± σ tokens under
 * the run's tokenizer, fixed or distributed output lengths, a shared prefix, multi-turn
 * sessions. A conversation dataset (ShareGPT, OpenAI messages) supplies the prompts instead of
 * the synthetic text; `input_tokens` then is not needed.
 */
export const workloadSchema = z.strictObject({
  /** Prompt length in tokens (`256`, `"256:32"`): prompts of exactly that many tokens, cut from the built-in corpus. */
  input_tokens: tokenLengthSchema.optional(),
  /** Output length in tokens: sent as max_tokens; with `fixed_output`, held with ignore_eos / min_tokens where the server supports them. */
  output_tokens: tokenLengthSchema.optional(),
  /** Tokens of one shared prefix at the start of every prompt (prefix-cache tests); counted in input_tokens. */
  prefix_tokens: z.number().int().nonnegative().default(0),
  /** Turns per session: each turn sends the conversation so far (the server's own answers included) plus a new user message. */
  turns: z.number().int().positive().default(1),
  /** Ask for exactly output_tokens (vLLM ignore_eos + min_tokens); false sends only max_tokens. */
  fixed_output: z.boolean().default(true),
  /** Conversation datasets: run each conversation as a session, one request per user turn (default: first turn only). */
  sessions: z.boolean().default(false),
  /** Seed of the synthetic text (the corpus order and each prompt's cut); default the load seed. */
  seed: z.number().int().optional(),
});
export type Workload = z.output<typeof workloadSchema>;

/** Protocols that send a workload's generated prompts and output lengths. */
export const WORKLOAD_PROTOCOLS: readonly string[] = ['openai', 'tgi', 'ollama'];

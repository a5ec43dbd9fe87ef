import type { FamilyOf } from '../model/metrics.js';
import type { Timeline } from '../model/timeline.js';

/** Values a request template can use: `{{index}}`, `{{seed}}`, `{{uuid}}`, `{{row.field}}`, ... */
export interface TemplateVars {
  index: number;
  seed: number;
  /** The dataset row for this request, when the scenario has a dataset. */
  row?: Record<string, unknown>;
}

/** One chat message of a generated LLM request. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * A request the LLM workload generators made (`--input-tokens`, ShareGPT / OpenAI-messages
 * datasets, multi-turn sessions). Text protocols send it in place of the target's prompt.
 */
export interface LlmRequest {
  /** The conversation so far, ending with the user's new message (a single-turn request has one); absent = the target's own prompt. */
  messages?: ChatMessage[];
  /** Output tokens to ask for (`max_tokens`); absent = the target's own setting. */
  maxTokens?: number;
  /** Ask for exactly `maxTokens` (vLLM's `ignore_eos` and `min_tokens`, where the server has them). */
  fixedOutput?: boolean;
  /** Multi-turn sessions: the turn within its conversation (1-based). */
  turn?: number;
}

/** What the runner hands a protocol for one request. */
export interface RequestInput {
  /** Call index within the phase (0-based). */
  index: number;
  /** Intended start time (open loop); the protocol copies it into the timeline. */
  scheduledMs?: number;
  vars: TemplateVars;
  /** The phase the request belongs to (sessions never continue from warmup into measure). */
  phase?: 'warmup' | 'measure';
  /** A generated LLM request, when the scenario has a workload; text protocols send it instead of their prompt. */
  llm?: LlmRequest;
  /** Aborted when the run is interrupted (Ctrl+C) or stops; the request becomes `aborted`. */
  signal: AbortSignal;
}

/**
 * One protocol's client: sends one request and follows it to its end.
 * `send` never rejects for anything the target did: failures are outcomes in the Timeline.
 */
export interface ProtocolClient {
  /** What this client's answers are: the family (and streaming) the run's metrics come from. */
  readonly family: FamilyOf;
  send(input: RequestInput): Promise<Timeline>;
  /** Checks the target answers at all, before load starts (fast failure with the URL and cause). */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

export type { ProtocolDebugSink } from '../model/progress.js';

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
  send(input: RequestInput): Promise<Timeline>;
  /** Checks the target answers at all, before load starts (fast failure with the URL and cause). */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where a protocol hands raw wire data for `--debug` (the CLI prints it; tests collect it).
 * Protocols call it only when given one, and never print themselves.
 */
export interface ProtocolDebugSink {
  /** A whole non-stream response body, e.g. Gradio's POST answer with the event_id. */
  response?(requestIndex: number, what: string, body: string, atMs: number): void;
  /** One raw line of a stream, as it arrived (-1 as the index for a stream several requests share). */
  streamLine?(requestIndex: number, line: string, atMs: number): void;
}

import type { FamilyOf } from '../model/metrics.js';
import type { Timeline } from '../model/timeline.js';

/** Values a request template can use: `{{index}}`, `{{seed}}`, `{{uuid}}`, `{{row.field}}`, `{{steps.fit.id}}`, ... */
export interface TemplateVars {
  index: number;
  seed: number;
  /** The dataset row for this request, when the scenario has a dataset. */
  row?: Record<string, unknown>;
  /** The run's id, `{{run_id}}`. */
  runId?: string;
  /** `warmup` or `measure`, `{{phase}}` (warmup calls can then name their own ids). */
  phase?: string;
  /** This call's named values (a step's `values`, a build module's `values`), `{{name}}`. */
  values?: Record<string, unknown>;
  /** Earlier steps' values for this call, `{{steps.<step>.<value>}}`. */
  steps?: Record<string, Record<string, unknown>>;
  /** What the target's request-builder module returned for this call; its parts replace the templates. */
  built?: BuildModuleResult;
}

/** What a request-builder module (`target.build`) may return for one call; each part it gives replaces the target's template. */
export interface BuildModuleResult {
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** gRPC: the request message and call metadata. */
  request?: unknown;
  metadata?: Record<string, string>;
  /** WebSocket: the message sent. */
  message?: unknown;
  /** Named values for this call: referenced as {{name}}, capturable and recordable like step values. */
  values?: Record<string, unknown>;
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
  /** What the client's `prepare(vars)` built for this call before its timed section (absent: the client renders it now). */
  prepared?: unknown;
  /** Keep the whole response body in `Timeline.responseText` (the step captures values from it). */
  keepResponse?: boolean;
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
  /**
   * Builds one call's request (url, headers, body, message) from its vars, so the runner can build
   * requests before the timed section starts; `send` then gets it back as `input.prepared`.
   */
  prepare?(vars: TemplateVars): unknown;
  send(input: RequestInput): Promise<Timeline>;
  /** Checks the target answers at all, before load starts (fast failure with the URL and cause). */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

export type { ProtocolDebugSink } from '../model/progress.js';

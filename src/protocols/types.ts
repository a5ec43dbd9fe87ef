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

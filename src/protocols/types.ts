import type { FamilyOf } from '../model/metrics.js';
import type { Timeline } from '../model/timeline.js';

/** Values a request template can use: `{{index}}`, `{{seed}}`, `{{uuid}}`, `{{row.field}}`, ... */
export interface TemplateVars {
  index: number;
  seed: number;
  /** The dataset row for this request, when the scenario has a dataset. */
  row?: Record<string, unknown>;
}

/** What the runner hands a protocol for one request. */
export interface RequestInput {
  /** Call index within the phase (0-based). */
  index: number;
  /** Intended start time (open loop); the protocol copies it into the timeline. */
  scheduledMs?: number;
  vars: TemplateVars;
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

import type { z } from 'zod';
import type { FamilyOf, MetricDefinition } from '../model/metrics.js';
import type { SecretRegistry } from '../scenario/secrets.js';
import type { ProtocolClient, ProtocolDebugSink } from './types.js';

/** What a protocol may know about the run it serves (never the load shape itself). */
export interface ClientContext {
  secrets: SecretRegistry;
  /** The largest number of requests the load may keep in flight: every client sizes its connection pool from it. */
  maxConcurrency: number;
  /** Raw wire data for `--debug` (the CLI's printer); protocols never print themselves. */
  debug?: ProtocolDebugSink;
}

/**
 * Everything the rest of inferbench needs to know about one protocol, in one place: its
 * target schema, the metric family it produces, how the common flags map onto its request,
 * which URLs imply it, and how to make its client. The client module is imported only when
 * a run uses the protocol, so loading the registry loads no protocol code.
 */
export interface ProtocolDescriptor<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** One line for `--protocol` help. */
  readonly summary: string;
  /**
   * The families a target of this protocol can produce (usually one). Conditions naming a
   * metric none of them has are config errors before the first request; the client's own
   * `family` is what the run records.
   */
  families(target: z.output<S>): FamilyOf[];
  /** Answers are expected to carry text: an ok answer with none gets a warning naming {@link textHint}. */
  textual(target: z.output<S>): boolean;
  /** The flag that points inferbench at the text in an answer, for that warning. */
  readonly textHint?: string;
  /**
   * Where `--prompt`, `--max-tokens` and `--model` land in this protocol's target (dotted
   * paths), so each flag means the same thing everywhere. Absent: the protocol has no such input.
   */
  readonly flagFields?: { prompt?: string; maxTokens?: string; model?: string };
  /** A URL matching this implies the protocol when `--protocol` is not given (registry order decides ties). */
  readonly impliedBy?: RegExp;
  /** A command line showing the protocol in use. */
  readonly example: string;
  /** Metrics this protocol adds beyond its family's, in the metric table's shape. */
  readonly metrics?: Record<string, MetricDefinition>;
  create(target: z.output<S>, ctx: ClientContext): Promise<ProtocolClient>;
}

/** Types a descriptor against its schema (the registry keeps each one's precise type). */
export function defineProtocol<S extends z.ZodType>(descriptor: ProtocolDescriptor<S>): ProtocolDescriptor<S> {
  return descriptor;
}

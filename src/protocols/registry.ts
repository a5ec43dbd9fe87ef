import { z } from 'zod';
import type { FamilyOf } from '../model/metrics.js';
import type { ClientContext, ProtocolDescriptor } from './descriptor.js';
import type { ProtocolClient } from './types.js';
import { httpProtocol } from './http/descriptor.js';
import { openaiProtocol } from './openai/descriptor.js';
import { openaiResponsesProtocol } from './openai-responses/descriptor.js';
import { gradioProtocol } from './gradio/descriptor.js';
import { tgiProtocol } from './tgi/descriptor.js';
import { ollamaProtocol } from './ollama/descriptor.js';
import { kserveProtocol } from './kserve/descriptor.js';
import { sseProtocol } from './sse/descriptor.js';
import { ndjsonProtocol } from './ndjson/descriptor.js';
import { grpcProtocol } from './grpc/descriptor.js';
import { websocketProtocol } from './websocket/descriptor.js';
import { localProtocol } from './local/descriptor.js';
import { openaiSpeechProtocol } from './openai-speech/descriptor.js';
import { audioHttpProtocol } from './audio-http/descriptor.js';
import { openaiEmbeddingsProtocol } from './openai-embeddings/descriptor.js';

/**
 * Every protocol, one line each. Order matters only for URL inference: the first whose
 * `impliedBy` matches a URL wins (so KServe's …/generate_stream comes before TGI's), and a
 * URL nothing matches is plain `http`.
 */
export const PROTOCOLS = [
  openaiProtocol,
  openaiResponsesProtocol,
  openaiEmbeddingsProtocol,
  kserveProtocol,
  tgiProtocol,
  ollamaProtocol,
  gradioProtocol,
  sseProtocol,
  ndjsonProtocol,
  grpcProtocol,
  websocketProtocol,
  localProtocol,
  openaiSpeechProtocol,
  audioHttpProtocol,
  httpProtocol,
] as const;

type SchemasOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never };
type Schemas = SchemasOf<typeof PROTOCOLS>;

/** The scenario's `target`: the union of every protocol's schema, discriminated by `protocol`. */
export const targetSchema = z.discriminatedUnion('protocol', PROTOCOLS.map((p) => p.schema) as unknown as Schemas);

export type Target = z.output<typeof targetSchema>;
export type ProtocolName = Target['protocol'];

const BY_NAME = new Map<string, ProtocolDescriptor>(PROTOCOLS.map((p) => [p.schema.shape.protocol.value, p as unknown as ProtocolDescriptor]));

export const PROTOCOL_NAMES = [...BY_NAME.keys()] as ProtocolName[];

/** The descriptor of a protocol by name; undefined for an unknown name (the schema reports it). */
export function descriptorOf(name: string): ProtocolDescriptor | undefined {
  return BY_NAME.get(name);
}

/** The protocol a URL implies when none is named (`grpc://` → grpc, `…/v1/chat/completions` → openai, …). */
export function protocolOfUrl(url: string): ProtocolName {
  for (const [name, p] of BY_NAME) if (p.impliedBy?.test(url)) return name as ProtocolName;
  return 'http';
}

/** The families a target can produce, for checking conditions before the run. */
export function familiesOf(target: Target): FamilyOf[] {
  return BY_NAME.get(target.protocol)!.families(target);
}

/** Makes the client for a target (its protocol's code is imported only now). */
export function createClient(target: Target, ctx: ClientContext): Promise<ProtocolClient> {
  return BY_NAME.get(target.protocol)!.create(target, ctx);
}

import type { SecretRegistry } from '../scenario/secrets.js';
import { GrpcClient } from './grpc/client.js';
import { HttpClient } from './http/client.js';
import { LocalClient } from './local/client.js';
import { OpenAIClient } from './openai/client.js';
import { WebSocketClient } from './websocket/client.js';
import { AudioHttpClient, OpenAISpeechClient } from './speech/client.js';
import type { ProtocolName, Target } from './schemas.js';
import type { ProtocolClient, ProtocolDebugSink } from './types.js';
import { GradioClient } from './gradio/client.js';
import { TgiClient } from './tgi/client.js';
import { OllamaClient } from './ollama/client.js';
import { KserveClient } from './kserve/client.js';
import { OpenAIResponsesClient } from './openai-responses/client.js';
import { GenericSseClient } from './sse/client.js';
import { NdjsonClient } from './ndjson/client.js';

/** What a protocol may know about the run it serves (never the load shape itself). */
export interface ClientContext {
  secrets: SecretRegistry;
  /** The largest number of requests the load may keep in flight (pool sizing). */
  maxConcurrency: number;
  /** Raw wire data for `--debug` (the CLI's printer); protocols never print themselves. */
  debug?: ProtocolDebugSink;
}

type Factory<P extends ProtocolName> = (target: Extract<Target, { protocol: P }>, ctx: ClientContext) => ProtocolClient | Promise<ProtocolClient>;

/** One line per protocol. */
const factories: { [P in ProtocolName]: Factory<P> } = {
  http: (target, ctx) => new HttpClient(target, ctx.maxConcurrency),
  openai: (target, ctx) => new OpenAIClient(target, ctx.maxConcurrency),
  gradio: (target, ctx) => {
    if (target.token) ctx.secrets.add(target.token); // a literal token (not ${ENV}) is hidden from logs too
    return new GradioClient(target, ctx.debug);
  },
  tgi: (target, ctx) => new TgiClient(target, ctx.debug),
  ollama: (target, ctx) => new OllamaClient(target, ctx.debug),
  kserve: (target, ctx) => new KserveClient(target, ctx.debug),
  'openai-responses': (target, ctx) => new OpenAIResponsesClient(target, ctx.debug),
  sse: (target, ctx) => new GenericSseClient(target, ctx.debug),
  ndjson: (target, ctx) => new NdjsonClient(target, ctx.debug),
  grpc: (target) => GrpcClient.create(target),
  websocket: (target) => WebSocketClient.create(target),
  local: (target) => LocalClient.create(target),
  'openai-speech': (target) => new OpenAISpeechClient(target),
  'audio-http': (target) => new AudioHttpClient(target),
};

export function createClient(target: Target, ctx: ClientContext): ProtocolClient | Promise<ProtocolClient> {
  return (factories[target.protocol] as Factory<ProtocolName>)(target as never, ctx);
}

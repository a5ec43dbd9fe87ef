import type { SecretRegistry } from '../scenario/secrets.js';
import { HttpClient } from './http.js';
import { OpenAIClient } from './openai.js';
import { AudioHttpClient, OpenAISpeechClient } from './speech.js';
import type { ProtocolName, Target } from './schemas.js';
import type { ProtocolClient } from './types.js';

/** What a protocol may know about the run it serves (never the load shape itself). */
export interface ClientContext {
  secrets: SecretRegistry;
  /** The largest number of requests the load may keep in flight (pool sizing). */
  maxConcurrency: number;
}

type Factory<P extends ProtocolName> = (target: Extract<Target, { protocol: P }>, ctx: ClientContext) => ProtocolClient | Promise<ProtocolClient>;

/** One line per protocol. */
const factories: { [P in ProtocolName]: Factory<P> } = {
  http: (target) => new HttpClient(target),
  openai: (target) => new OpenAIClient(target),
  'openai-speech': (target) => new OpenAISpeechClient(target),
  'audio-http': (target) => new AudioHttpClient(target),
};

export function createClient(target: Target, ctx: ClientContext): ProtocolClient | Promise<ProtocolClient> {
  return (factories[target.protocol] as Factory<ProtocolName>)(target as never, ctx);
}

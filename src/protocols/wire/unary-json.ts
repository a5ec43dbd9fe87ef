import type { TimelineBuilder } from '../../model/timeline.js';
import { errorMessageOf, type BodyConsumer } from './http-exchange.js';

/** The largest whole JSON answer read and parsed; bigger ones are a protocol_error (work and memory per request stay bounded). */
export const MAX_JSON_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * A whole JSON answer: its text is one content event at the body's end. `read` picks the
 * text and the server's token count; a JSON body with an `error` field is a protocol error
 * carrying the server's message.
 */
export function unaryJsonConsumer<T>(tl: TimelineBuilder, read: (json: T) => { text?: string; usageTokens?: number }): BodyConsumer {
  const parts: Buffer[] = [];
  let bytes = 0;
  return {
    chunk(data) {
      bytes += data.byteLength;
      if (bytes <= MAX_JSON_ANSWER_BYTES) parts.push(Buffer.from(data));
    },
    end(atMs) {
      if (bytes > MAX_JSON_ANSWER_BYTES) return { outcome: 'protocol_error', error: `the JSON answer has ${bytes} bytes, more than the ${MAX_JSON_ANSWER_BYTES / 1024 / 1024} MiB inferbench parses` };
      const raw = Buffer.concat(parts).toString('utf8');
      let json: T;
      try {
        json = JSON.parse(raw) as T;
      } catch {
        tl.t.bodyPreview = raw.slice(0, 512);
        return { outcome: 'protocol_error', error: `response is not JSON: ${raw.slice(0, 200)}` };
      }
      if (json && typeof json === 'object' && 'error' in json) return { outcome: 'protocol_error', error: errorMessageOf(raw) };
      const { text, usageTokens } = read(json);
      if (typeof usageTokens === 'number') tl.t.usageTokens = usageTokens;
      if (text) tl.text(text, usageTokens ?? 1, atMs);
      else tl.event(atMs);
      return { outcome: 'ok' };
    },
  };
}

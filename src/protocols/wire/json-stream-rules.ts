import { getProperty } from 'dot-prop';
import { z } from 'zod';
import type { TimelineBuilder } from '../../model/timeline.js';
import { TextGrowth } from './text-growth.js';

/** Target fields the generic `sse` and `ndjson` protocols share: where things are in each JSON event. */
export const jsonStreamFields = {
  method: z.enum(['POST', 'GET', 'PUT']).default('POST'),
  /** Request body (JSON, templated) or a string sent as is. */
  body: z.unknown().optional(),
  /** Where the text is in each event (dot-prop path, e.g. "choices[0].delta.content", "token.text"). */
  content_path: z.string({ error: 'required: the JSON path to the text in each event, e.g. "choices[0].delta.content"' }).min(1),
  /** `delta`: each event holds new text; `cumulative`: each holds the whole text so far. */
  content_mode: z.enum(['delta', 'cumulative']).default('delta'),
  /** An event whose value at this path is truthy is the last one (e.g. "done", "details"). Without it, the body's end ends the stream. */
  end_path: z.string().optional(),
  /** The value at `end_path` that ends the stream; any truthy value when absent (same option as WebSocket/gRPC extraction). */
  end_value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Where the server's output token count is (e.g. "usage.completion_tokens", "eval_count"). */
  usage_path: z.string().optional(),
  /** An event with a value at this path is a server error; its message (or the value) becomes the error. */
  error_path: z.string().default('error'),
};

export interface JsonStreamRules {
  content_path: string;
  content_mode: 'delta' | 'cumulative';
  end_path?: string;
  end_value?: string | number | boolean;
  usage_path?: string;
  error_path: string;
}

/**
 * Applies a user's paths to each JSON event of a stream: content, usage, errors, the end.
 * One instance per request.
 */
export class JsonStreamState {
  done = false;
  failure: string | undefined;
  private readonly growth: TextGrowth;

  constructor(
    private readonly tl: TimelineBuilder,
    private readonly rules: JsonStreamRules,
  ) {
    this.growth = new TextGrowth(tl);
  }

  /** One event's JSON text; `contentAllowed` false for events of another type (they are events, not content). */
  onJson(raw: string, atMs: number, contentAllowed = true): void {
    if (this.done || this.failure) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.failure = `invalid JSON in stream event: ${raw.slice(0, 200)}`;
      return;
    }
    const error = getProperty(json, this.rules.error_path);
    if (error !== undefined && error !== null) {
      const message = typeof error === 'string' ? error : typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : JSON.stringify(error);
      this.failure = `server error mid-stream: ${message}`;
      return;
    }
    const content = contentAllowed ? getProperty(json, this.rules.content_path) : undefined;
    const text = typeof content === 'string' ? content : undefined;
    if (this.rules.content_mode === 'cumulative') this.growth.update(text, atMs);
    else if (text) this.tl.text(text, 1, atMs);
    else this.tl.event(atMs);
    if (this.rules.usage_path) {
      const usage = getProperty(json, this.rules.usage_path);
      if (typeof usage === 'number') this.tl.t.usageTokens = usage;
    }
    if (this.rules.end_path) {
      const end = getProperty(json, this.rules.end_path);
      if (this.rules.end_value !== undefined ? end === this.rules.end_value : Boolean(end)) this.done = true;
    }
  }

  /** The outcome at the body's end: with an end rule, a stream without its end event failed. */
  verdict(): { outcome: 'ok' | 'protocol_error'; error?: string } {
    if (this.failure) return { outcome: 'protocol_error', error: this.failure };
    if (this.rules.end_path && !this.done) return { outcome: 'protocol_error', error: `stream ended before an event with "${this.rules.end_path}" set` };
    return { outcome: 'ok' };
  }
}

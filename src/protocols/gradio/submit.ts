import type { Dispatcher } from 'undici';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { httpExchange } from '../wire/http-exchange.js';
import type { ProtocolDebugSink, RequestInput } from '../types.js';

const POST_PREVIEW_CHARS = 64 * 1024;

export interface SubmitResult {
  t: Timeline;
  eventId?: string;
}

/** POSTs a submission (`/call/<api>` or `/queue/join`) and reads the `event_id` from its answer. */
export async function submitCall(
  dispatcher: Dispatcher,
  url: string,
  headers: Record<string, string>,
  body: string,
  input: RequestInput,
  timeoutMs: number,
  debug: ProtocolDebugSink | undefined,
): Promise<SubmitResult> {
  let eventId: string | undefined;
  const t = await httpExchange(dispatcher, { url, method: 'POST', headers, body, timeoutMs }, input, (tl) => {
    let text = '';
    const decoder = new TextDecoder();
    return {
      chunk(data) {
        if (text.length < POST_PREVIEW_CHARS) text += decoder.decode(data, { stream: true });
      },
      end(atMs) {
        text += decoder.decode();
        debug?.response?.(input.index, `POST ${url}`, text, atMs);
        tl.event(atMs);
        try {
          const id = (JSON.parse(text) as { event_id?: unknown }).event_id;
          if (typeof id === 'string' && id) {
            eventId = id;
            return { outcome: 'ok' };
          }
        } catch {
          // not JSON: reported below
        }
        tl.t.bodyPreview = text.slice(0, 512);
        return { outcome: 'protocol_error', error: `POST ${url} answered without an event_id (${text.slice(0, 160) || 'empty body'}); run with --debug post to see the whole answer` };
      },
    };
  });
  return { t, eventId };
}

/** Copies the POST's marks into the request's timeline: its start, first byte and the submit time. */
export function adoptSubmit(tl: TimelineBuilder, post: Timeline): void {
  tl.t.sentMs = post.sentMs;
  tl.t.connectMs = post.connectMs;
  tl.t.headersMs = post.headersMs;
  tl.t.firstByteMs = post.firstByteMs;
  tl.t.status = post.status;
  tl.t.bytesIn += post.bytesIn;
  tl.t.bytesOut += post.bytesOut;
  if (post.outcome === 'ok') tl.t.submittedMs = post.endMs;
}

/** The message a Gradio `error` event carries: null (errors hidden), a string, or an error payload. */
export function gradioErrorMessage(data: unknown): string {
  if (data === null || data === undefined) return 'the app reported an error without a message (Gradio hides error details unless launched with show_error=True)';
  if (typeof data === 'string') return data;
  const error = (data as { error?: unknown }).error;
  if (typeof error === 'string') return error;
  if (error === null) return 'the app reported an error without a message (Gradio hides error details unless launched with show_error=True)';
  return JSON.stringify(data).slice(0, 300);
}


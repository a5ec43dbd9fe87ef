import http from 'node:http';

/** Test-side reading of a streamed answer: raw bytes plus each event's arrival time (same clock as the in-process server). */
export interface ArrivedEvent {
  data: string;
  arrivedMs: number;
}

export interface ReadStream {
  raw: string;
  events: ArrivedEvent[];
  /** Why reading stopped early (connection destroyed, aborted); absent when the body ended normally. */
  error?: Error;
}

/**
 * Reads the whole body; events are split on the blank line the emulator writes (LF only).
 * `onEvent` sees each event as it arrives, e.g. to abort after the first one.
 */
export async function readSse(response: Response, onEvent?: (event: ArrivedEvent) => void): Promise<ReadStream> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  let pending = '';
  const events: ArrivedEvent[] = [];
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      return { raw, events, error: error as Error };
    }
    const { done, value } = chunk;
    const arrivedMs = performance.now();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    raw += text;
    pending += text;
    let end: number;
    while ((end = pending.indexOf('\n\n')) !== -1) {
      const block = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const event = { data: block.replace(/^data: /, ''), arrivedMs };
      events.push(event);
      onEvent?.(event);
    }
  }
  return { raw, events };
}

export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

/**
 * POSTs with node:http and collects every byte that arrived before the connection ended.
 * Used where the server drops the connection: a fetch body stream that errors may discard
 * chunks queued but not yet read (WHATWG streams reset their queue on error), which would
 * hide the last tokens the server wrote.
 */
export function postAndCollectRaw(url: string, body: unknown): Promise<{ raw: string; aborted: boolean; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let raw = '';
      let aborted = false;
      response.setEncoding('utf8');
      response.on('data', (text: string) => (raw += text));
      response.on('aborted', () => (aborted = true));
      response.on('error', () => (aborted = true));
      response.on('close', () => resolve({ raw, aborted: aborted || !response.complete, requestId: response.headers['x-inferbench-request-id'] as string }));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

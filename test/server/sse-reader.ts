/** Test-side reading of a streamed answer: raw bytes plus each event's arrival time (same clock as the in-process server). */
export interface ArrivedEvent {
  data: string;
  arrivedMs: number;
}

export interface ReadStream {
  raw: string;
  events: ArrivedEvent[];
}

/** Reads the whole body; events are split on the blank line the emulator writes (LF only). */
export async function readSse(response: Response): Promise<ReadStream> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  let pending = '';
  const events: ArrivedEvent[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    const arrivedMs = performance.now();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    raw += text;
    pending += text;
    let end: number;
    while ((end = pending.indexOf('\n\n')) !== -1) {
      const block = pending.slice(0, end);
      pending = pending.slice(end + 2);
      events.push({ data: block.replace(/^data: /, ''), arrivedMs });
    }
  }
  return { raw, events };
}

export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

import { createServer, type Server, type Socket } from 'node:net';

/**
 * A byte-level hostile HTTP server, written on node:net (no HTTP library, nothing of ours), for
 * the fault suite. `http://HOST/<client>/<mode>/...` answers as `client` expects (an OpenAI chat
 * stream, a generic SSE or NDJSON stream, a Gradio call, a plain JSON body), broken as `mode` says.
 */
export const HOSTILE_CLIENTS = ['openai', 'sse', 'ndjson', 'gradio', 'http'] as const;
export type HostileClient = (typeof HOSTILE_CLIENTS)[number];

export const HOSTILE_MODES = [
  'ok',
  'fin-mid-stream',
  'rst-mid-stream',
  'bad-chunk-size',
  'content-length-too-large',
  'no-blank-line',
  'split-every-byte',
  'crlf-mix',
  'invalid-utf8',
  'non-json',
  'wrong-shape',
  'missing-done',
  'duplicate-done',
  '5xx-burst',
  'stall-before-headers',
  'stall-after-headers',
  'slow-headers',
  'half-open',
  'huge-event',
  'huge-body',
  'oversized-event',
  'http10',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

/** Requests of each 5xx burst answered with an error before the server recovers. */
export const BURST = 3;
const HUGE_EVENT_CHARS = 4 * 1024 * 1024;
const HUGE_BODY_EVENTS = 8 * 1024; // of 4 KiB each: 32 MiB
const OVERSIZED_EVENT_CHARS = 17 * 1024 * 1024;
const TOKENS = 8;

export interface HostileServer {
  url: string;
  /** How each connection ended, as the server saw it. */
  close(): Promise<void>;
}

interface Request {
  method: string;
  path: string;
  client: HostileClient;
  mode: HostileMode;
}

const enc = (s: string) => Buffer.from(s, 'utf8');

/** The answer's events, as the client's wire format frames them, each a Buffer. */
function events(client: HostileClient, mode: HostileMode, path: string): Buffer[] {
  const content = (i: number) => (mode === 'huge-event' && i === 0 ? 'x'.repeat(HUGE_EVENT_CHARS) : mode === 'oversized-event' && i === 0 ? 'y'.repeat(OVERSIZED_EVENT_CHARS) : mode === 'huge-body' ? `${'z'.repeat(4090)}${i} ` : `tok${i} `);
  // An oversized event fails its request at once: one is enough (Gradio repeats the whole text in every event).
  // Gradio repeats the whole text so far in every event: 128 events of 4 KiB more each make its 32 MiB,
  // and its huge event (4 MiB) comes twice, not once per token (8 times was 32 MiB per request).
  const count = mode === 'huge-body' ? (client === 'gradio' ? 128 : HUGE_BODY_EVENTS) : mode === 'oversized-event' ? 1 : mode === 'huge-event' && client === 'gradio' ? 2 : TOKENS;
  // Line ends: SSE allows LF, CR and CRLF (a CR right before an LF is one CRLF, so those pairs are
  // not used for two line ends); NDJSON ends lines with LF or CRLF.
  const SSE_ENDS = ['\n\n', '\r\n\r\n', '\r\r', '\n\r\n', '\r\n\n', '\r\r\n', '\n\r', '\r\n\r'];
  const eol = (i: number) => (mode !== 'crlf-mix' ? '\n' : client === 'ndjson' ? (i % 2 ? '\r\n' : '\n') : ['\n', '\r\n', '\r'][i % 3]!);
  const eventEnd = (i: number) => (mode !== 'crlf-mix' ? '\n\n' : SSE_ENDS[i % SSE_ENDS.length]!);
  const out: Buffer[] = [];
  const sse = (data: string, i: number, event?: string) => enc(`${event ? `event: ${event}${eol(i)}` : ''}data: ${data}${eventEnd(i)}`);
  const wrongAt = Math.floor(count / 2);
  if (client === 'openai' || client === 'sse') {
    for (let i = 0; i < count; i++) {
      if (mode === 'non-json' && i === wrongAt) out.push(sse('this is not json', i));
      else if (mode === 'wrong-shape' && i === wrongAt) out.push(sse('null', i));
      else if (mode === 'invalid-utf8' && i === wrongAt) out.push(Buffer.concat([enc('data: {"choices":[{"delta":{"content":"bad '), Buffer.from([0xff, 0xfe, 0xc3]), enc(' bytes"}}]}\n\n')]));
      else out.push(sse(JSON.stringify({ choices: [{ index: 0, delta: { content: content(i) }, finish_reason: null }] }), i));
    }
    if (mode !== 'missing-done') {
      out.push(sse(JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), count));
      out.push(sse('[DONE]', count + 1));
      if (mode === 'duplicate-done') out.push(sse('[DONE]', count + 2));
    }
  } else if (client === 'ndjson') {
    for (let i = 0; i < count; i++) {
      if (mode === 'non-json' && i === wrongAt) out.push(enc(`this is not json${eol(i)}`));
      else if (mode === 'wrong-shape' && i === wrongAt) out.push(enc(`null${eol(i)}`));
      else if (mode === 'invalid-utf8' && i === wrongAt) out.push(Buffer.concat([enc('{"text":"bad '), Buffer.from([0xff, 0xfe, 0xc3]), enc(` bytes","done":false}${eol(i)}`)]));
      else out.push(enc(`${JSON.stringify({ text: content(i), done: false })}${eol(i)}`));
    }
    if (mode !== 'missing-done') out.push(enc(`${JSON.stringify({ text: '', done: true, usage: count })}${eol(count)}`));
    if (mode === 'duplicate-done') out.push(enc(`${JSON.stringify({ text: '', done: true, usage: count })}\n`));
  } else if (client === 'gradio') {
    let text = '';
    for (let i = 0; i < count; i++) {
      text += content(i);
      if (mode === 'non-json' && i === wrongAt) out.push(sse('this is not json', i, 'generating'));
      else if (mode === 'wrong-shape' && i === wrongAt) out.push(sse('42', i, 'generating'));
      else if (mode === 'invalid-utf8' && i === wrongAt) out.push(Buffer.concat([enc('event: generating\ndata: ["bad '), Buffer.from([0xff, 0xfe, 0xc3]), enc(' bytes"]\n\n')]));
      else out.push(sse(JSON.stringify([text]), i, 'generating'));
    }
    if (mode !== 'missing-done') out.push(sse(JSON.stringify([text]), count, 'complete'));
    if (mode === 'duplicate-done') out.push(sse(JSON.stringify([text]), count + 1, 'complete'));
  } else {
    // http: one JSON body (the client keeps a preview; it does not parse it).
    const body = mode === 'huge-body' ? `{"pad":"${'z'.repeat(32 * 1024 * 1024)}"}` : mode === 'huge-event' ? `{"pad":"${'x'.repeat(HUGE_EVENT_CHARS)}"}` : mode === 'non-json' ? 'this is not json' : mode === 'wrong-shape' ? 'null' : `{"ok":true,"path":${JSON.stringify(path)}}`;
    const whole = mode === 'invalid-utf8' ? Buffer.concat([enc('{"bad":"'), Buffer.from([0xff, 0xfe, 0xc3]), enc('"}')]) : enc(body);
    // Two chunks, so the mid-body faults have a middle to break at.
    out.push(whole.subarray(0, whole.length >> 1), whole.subarray(whole.length >> 1));
  }
  return out;
}

function parseHead(head: string): Request | undefined {
  const [line] = head.split('\r\n');
  const [method, path] = (line ?? '').split(' ');
  const [, client, mode] = (path ?? '').split('/');
  if (!method || !path || !(HOSTILE_CLIENTS as readonly string[]).includes(client!) || !(HOSTILE_MODES as readonly string[]).includes(mode!)) return undefined;
  return { method, path, client: client as HostileClient, mode: mode as HostileMode };
}

/**
 * `closeAfter`: after that many answered exchanges (a Gradio call is two) the server stops
 * listening and drops its connections, so the target goes away mid-run and later connections
 * are refused.
 */
export async function startHostileServer(opts: { closeAfter?: number } = {}): Promise<HostileServer> {
  let answered = 0;
  const bursts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let gradioIds = 0;

  const answer = async (socket: Socket, req: Request): Promise<'keep' | 'closed'> => {
    const { client, mode } = req;
    const write = (b: Buffer | string) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.write(b, () => resolve())));
    const json = (status: number, body: string) =>
      write(`HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

    // Gradio: the POST returns the event id; the GET carries the stream, where the faults are.
    if (client === 'gradio' && req.method === 'POST') {
      if (mode === '5xx-burst' && burst(bursts, `${client}/${mode}`)) return json(503, '{"error":"overloaded, try later"}').then(() => 'keep');
      await json(200, JSON.stringify({ event_id: `e${gradioIds++}` }));
      return 'keep';
    }
    if (mode === '5xx-burst' && burst(bursts, `${client}/${mode}`)) {
      const status = [503, 500, 502][(bursts.get(`${client}/${mode}`)! - 1) % 3]!;
      await json(status, JSON.stringify({ error: { message: `upstream failure ${status}` } }));
      return 'keep';
    }
    if (mode === 'stall-before-headers') return 'closed'; // never answers; the client's timeout ends it
    if (mode === 'half-open') {
      socket.end(); // FIN without a byte of answer
      return 'closed';
    }
    const stream = client !== 'http';
    const parts = events(client, mode, req.path);
    const contentType = client === 'ndjson' ? 'application/x-ndjson' : stream ? 'text/event-stream' : 'application/json';
    const total = parts.reduce((n, p) => n + p.length, 0);

    if (mode === 'http10') {
      await write(`HTTP/1.0 200 OK\r\ncontent-type: ${contentType}\r\n\r\n`);
      for (const p of parts) await write(p);
      socket.end();
      return 'closed';
    }
    if (mode === 'content-length-too-large') {
      await write(`HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ncontent-length: ${total + 1000}\r\n\r\n`);
      for (const p of parts) await write(p);
      socket.end();
      return 'closed';
    }
    if (mode === 'no-blank-line') {
      await write(`HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ntransfer-encoding: chunked\r\n`);
      for (const p of parts) await write(p);
      socket.end();
      return 'closed';
    }
    const head = `HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ntransfer-encoding: chunked\r\n\r\n`;
    if (mode === 'slow-headers') {
      for (let i = 0; i < head.length; i += Math.ceil(head.length / 10)) {
        await write(head.slice(i, i + Math.ceil(head.length / 10)));
        await new Promise((r) => setTimeout(r, 20));
      }
    } else if (mode === 'split-every-byte') {
      const bytes = Buffer.concat([enc(head), ...parts.map(chunk), enc('0\r\n\r\n')]);
      socket.setNoDelay(true);
      for (let i = 0; i < bytes.length; i++) {
        await write(bytes.subarray(i, i + 1));
        await new Promise((r) => setImmediate(r));
      }
      return 'keep';
    } else await write(head);
    if (mode === 'bad-chunk-size') {
      await write(chunk(parts[0]!));
      await write('zz\r\nnot a chunk\r\n');
      socket.end();
      return 'closed';
    }
    const half = Math.max(1, Math.floor(parts.length / 2));
    for (const [i, p] of parts.entries()) {
      if (i === half && mode === 'fin-mid-stream') {
        socket.end();
        return 'closed';
      }
      if (i === half && mode === 'rst-mid-stream') {
        socket.resetAndDestroy();
        return 'closed';
      }
      if (i === 1 && mode === 'stall-after-headers') return 'closed'; // one event, then silence
      await write(chunk(p));
    }
    await write('0\r\n\r\n');
    return 'keep';
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let busy = false;
    const next = async () => {
      if (busy) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      buffer = buffer.subarray(end + 4 + length);
      const req = parseHead(head);
      busy = true;
      const how = req ? await answer(socket, req) : await new Promise<'closed'>((r) => socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n', () => r('closed')));
      busy = false;
      if (++answered === opts.closeAfter) {
        server.close();
        for (const s of sockets) s.destroy();
        return;
      }
      if (how === 'keep') void next();
    };
    socket.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      void next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function chunk(data: Buffer): Buffer {
  return Buffer.concat([enc(`${data.length.toString(16)}\r\n`), data, enc('\r\n')]);
}

/** True for the first BURST requests of a (client, mode). */
function burst(bursts: Map<string, number>, key: string): boolean {
  const n = (bursts.get(key) ?? 0) + 1;
  bursts.set(key, n);
  return n <= BURST;
}

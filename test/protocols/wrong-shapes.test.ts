import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Timeline } from '../../src/model/timeline.js';
import { run } from '../../src/run/runner.js';

/**
 * Every wrong shape fed to every streaming protocol: each node of each event of a valid answer
 * (and the event itself) replaced by null, a number, a string, a boolean, an empty list, an
 * empty object, [null]. Whatever a client's reading code makes of it, the request ends once,
 * as `ok` (a shape it tolerates) or `protocol_error` — never a connection_error, a hang or a crash.
 */
const WRONG: unknown[] = [null, 42, 'x', true, [], {}, [null]];

type Path = (string | number)[];

function paths(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function replaced(value: unknown, path: Path, by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = by;
  return copy;
}

/** Every stream of `events` with one node of one event replaced by one wrong value. */
function mutants(events: unknown[]): unknown[][] {
  const out: unknown[][] = [];
  events.forEach((event, i) => {
    for (const path of paths(event)) for (const w of WRONG) out.push(events.map((e, j) => (j === i ? replaced(e, path, w) : e)));
  });
  return out;
}

const sse = (events: unknown[], done = true) => `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}${done ? 'data: [DONE]\n\n' : ''}`;
const ndjson = (events: unknown[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');

interface Protocol {
  name: string;
  target: (url: string) => Record<string, unknown>;
  events: unknown[];
  /** The body of the stream for one case. */
  body: (events: unknown[]) => string;
  contentType: string;
}

const CHAT = [
  { choices: [{ delta: { role: 'assistant', content: 'hi' }, finish_reason: null, token_ids: [1] }] },
  { choices: [{ delta: {}, finish_reason: 'stop' }], usage: { completion_tokens: 1 } },
];

const PROTOCOLS: Protocol[] = [
  { name: 'openai', target: (u) => ({ protocol: 'openai', url: `${u}/v1/chat/completions` }), events: CHAT, body: (e) => sse(e), contentType: 'text/event-stream' },
  {
    name: 'openai-responses',
    target: (u) => ({ protocol: 'openai-responses', url: `${u}/v1/responses` }),
    events: [
      { type: 'response.output_text.delta', delta: 'hi' },
      { type: 'response.completed', response: { usage: { output_tokens: 1 } } },
    ],
    body: (e) => sse(e, false),
    contentType: 'text/event-stream',
  },
  {
    name: 'tgi',
    target: (u) => ({ protocol: 'tgi', url: `${u}/generate_stream` }),
    events: [
      { token: { id: 1, text: 'hi', special: false } },
      { token: { id: 2, text: '', special: true }, generated_text: 'hi', details: { generated_tokens: 1 } },
    ],
    body: (e) => sse(e, false),
    contentType: 'text/event-stream',
  },
  { name: 'kserve', target: (u) => ({ protocol: 'kserve', url: `${u}/v2/models/m/generate_stream` }), events: [{ model_name: 'm', text_output: 'hi' }], body: (e) => sse(e, false), contentType: 'text/event-stream' },
  {
    name: 'ollama',
    target: (u) => ({ protocol: 'ollama', url: `${u}/api/generate`, model: 'm' }),
    events: [
      { response: 'hi', done: false },
      { response: '', done: true, eval_count: 1, eval_duration: 1000, load_duration: 1 },
    ],
    body: ndjson,
    contentType: 'application/x-ndjson',
  },
  {
    name: 'sse',
    target: (u) => ({ protocol: 'sse', url: `${u}/stream`, content_path: 'choices[0].delta.content', usage_path: 'usage.completion_tokens' }),
    events: CHAT,
    body: (e) => sse(e),
    contentType: 'text/event-stream',
  },
  {
    name: 'ndjson',
    target: (u) => ({ protocol: 'ndjson', url: `${u}/stream`, content_path: 'text', end_path: 'done', usage_path: 'usage' }),
    events: [
      { text: 'hi', done: false },
      { done: true, usage: 1 },
    ],
    body: ndjson,
    contentType: 'application/x-ndjson',
  },
  {
    name: 'gradio',
    target: (u) => ({ protocol: 'gradio', url: u, api: '/predict', api_prefix: '/gradio_api', data: ['hi'] }),
    events: [['h'], ['hi']],
    body: (e) => `event: generating\ndata: ${JSON.stringify(e[0])}\n\nevent: complete\ndata: ${JSON.stringify(e[1])}\n\n`,
    contentType: 'text/event-stream',
  },
  {
    name: 'openai-speech',
    target: (u) => ({ protocol: 'openai-speech', url: `${u}/v1/audio/speech`, stream_format: 'sse', input: 'hi' }),
    events: [{ type: 'speech.audio.delta', audio: 'AAAAAA==' }, { type: 'speech.audio.done' }],
    body: (e) => sse(e, false),
    contentType: 'text/event-stream',
  },
];

let server: ReturnType<typeof createServer>;
let baseUrl: string;
/** The bodies still to serve, in request order (requests run one at a time). */
let queue: string[] = [];
let contentType = 'text/event-stream';
const gradioCases = new Map<string, string>();
let wss: WebSocketServer;
let wsQueue: unknown[][] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.includes('/call/')) {
        const id = `e${gradioCases.size}`;
        gradioCases.set(id, queue.shift() ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ event_id: id }));
        return;
      }
      const gradioId = /\/call\/\w+\/(\w+)$/.exec(req.url ?? '')?.[1];
      const body = gradioId !== undefined ? gradioCases.get(gradioId)! : queue.shift();
      res.writeHead(200, { 'content-type': contentType }).end(body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  // Each case on its own connection, closed cleanly after it: an answer without its end marker ends there.
  wss.on('connection', (ws) =>
    ws.on('message', () => {
      for (const m of wsQueue.shift() ?? []) ws.send(JSON.stringify(m));
      ws.close(1000);
    }),
  );
});
afterAll(async () => {
  server.close();
  wss.close();
});

function expectOneOutcomeEach(timelines: Timeline[], cases: number, counts: { sent: number; completed: number; ok: number; failed: number; byOutcome: Record<string, number> }) {
  const unexpected = timelines.filter((t) => t.outcome !== 'ok' && t.outcome !== 'protocol_error').map((t) => `request ${t.index}: ${t.outcome}: ${t.error}`);
  expect(unexpected).toEqual([]);
  expect(timelines).toHaveLength(cases);
  expect(counts.sent).toBe(cases);
  expect(counts.completed).toBe(cases);
  expect(counts.ok + counts.failed).toBe(cases);
  expect(counts.byOutcome.ok + counts.byOutcome.protocol_error).toBe(cases);
  // A failure thrown while reading names the event it was reading.
  for (const t of timelines) if (t.error?.startsWith('unexpected answer shape')) expect(t.error).toMatch(/ in: ./);
}

describe('every wrong shape fed to every streaming protocol', () => {
  it.each(PROTOCOLS.map((p) => [p.name, p] as const))('%s: each request ends once, ok or protocol_error', async (_name, protocol) => {
    const cases = mutants(protocol.events);
    queue = cases.map((c) => protocol.body(c));
    contentType = protocol.contentType;
    const timelines: Timeline[] = [];
    const { results } = await run(
      { target: { ...protocol.target(baseUrl), timeout: '10s' } as never, load: { requests: cases.length }, output: { write: false }, tokenizer: 'none' },
      { onRequest: (t) => timelines.push(t) },
    );
    expectOneOutcomeEach(timelines, cases.length, results.points[0]!.measure.counts);
    // The valid answer itself is ok (the first mutant of the last event is its root: the answer without it).
    expect(timelines.some((t) => t.outcome === 'ok')).toBe(true);
  });

  it('websocket: each request ends once, ok or protocol_error', async () => {
    const events = [{ text: 'hi' }, { done: true, usage: 1 }];
    const cases = mutants(events);
    wsQueue = [...cases];
    const timelines: Timeline[] = [];
    const port = (wss.address() as AddressInfo).port;
    const { results } = await run(
      {
        target: { protocol: 'websocket', url: `ws://127.0.0.1:${port}`, message: { prompt: 'hi' }, content_path: 'text', end_path: 'done', usage_path: 'usage', timeout: '10s' },
        load: { requests: cases.length },
        output: { write: false },
        tokenizer: 'none',
      },
      { onRequest: (t) => timelines.push(t) },
    );
    expectOneOutcomeEach(timelines, cases.length, results.points[0]!.measure.counts);
  });

  it('an OpenAI `data: null` event is a protocol_error that shows the event (it was a connection_error)', async () => {
    queue = [sse([null, ...CHAT])];
    contentType = 'text/event-stream';
    const timelines: Timeline[] = [];
    await run({ target: { protocol: 'openai', url: `${baseUrl}/v1/chat/completions` }, load: { requests: 1 }, output: { write: false } }, { onRequest: (t) => timelines.push(t) });
    expect(timelines[0]!.outcome).toBe('protocol_error');
    expect(timelines[0]!.error).toMatch(/^unexpected answer shape \(.*null.*\) in: null$/);
  });
});

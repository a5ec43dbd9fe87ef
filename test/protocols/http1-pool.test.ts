import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineBuilder } from '../../src/model/timeline.js';
import type { BodyConsumer, HttpRequestSpec } from '../../src/protocols/wire/http-exchange.js';
import { Http1Pool } from '../../src/protocols/wire/http1-pool.js';
import { callStartMs } from '../../src/measure/metrics.js';
import { nowMs } from '../../src/model/clock.js';
import { HttpClient } from '../../src/protocols/http/client.js';
import { httpTargetSchema } from '../../src/protocols/http/schema.js';

/** The body as text, and the answer ok. */
function collect(): { consumer: (tl: TimelineBuilder) => BodyConsumer; body: () => string } {
  const parts: Buffer[] = [];
  return {
    consumer: () => ({
      chunk(data) {
        parts.push(Buffer.from(data));
      },
      end: () => ({ outcome: 'ok' }),
    }),
    body: () => Buffer.concat(parts).toString('utf8'),
  };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

function pool(url: string, max = 4): Http1Pool {
  const p = new Http1Pool(new URL(url), max);
  closers.push(() => p.close());
  return p;
}

const spec = (url: string, extra: Partial<HttpRequestSpec> = {}): HttpRequestSpec => ({ url, path: new URL(url).pathname, method: 'GET', headers: {}, timeoutMs: 5000, ...extra });
const input = (index = 0, signal = new AbortController().signal) => ({ index, vars: { index, seed: 0 }, signal });

describe('Http1Pool against real servers on loopback', () => {
  it('sends method, path, host, headers and body, and reuses one connection for sequential requests', async () => {
    const seen: string[] = [];
    const target = await listen((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers.host} ${req.headers['x-a']} ${req.headers['content-length']} ${body}`);
        res.end(`answer ${seen.length}`);
      });
    });
    const p = pool(target.url);
    const s = spec(`${target.url}/fit?x=1`, { path: '/fit?x=1', method: 'POST', headers: { 'x-a': 'b', 'content-type': 'text/plain' }, body: 'héllo', constant: true });
    for (let i = 0; i < 5; i++) {
      const c = collect();
      const t = await p.exchange(s, input(i), c.consumer);
      expect(t.outcome).toBe('ok');
      expect(t.status).toBe(200);
      expect(c.body()).toBe(`answer ${i + 1}`);
      expect(t.bytesOut).toBe(6);
      expect(t.sentMs).toBeLessThanOrEqual(t.headersMs!);
    }
    expect(seen).toEqual(Array.from({ length: 5 }, () => `POST /fit?x=1 ${new URL(target.url).host} b 6 héllo`));
    expect(target.connections()).toBe(1);
  });

  it('keeps at most its connection bound, queueing the rest, and reads chunked streams', async () => {
    let open = 0;
    let most = 0;
    const target = await listen((_req, res) => {
      open++;
      most = Math.max(most, open);
      res.write('data: 1\n\n');
      setImmediate(() => {
        res.end('data: 2\n\n');
        open--;
      });
    });
    const p = pool(target.url, 3);
    const bodies = collect();
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => p.exchange(spec(target.url), input(i), bodies.consumer)));
    expect(all.every((t) => t.outcome === 'ok')).toBe(true);
    expect(bodies.body()).toBe('data: 1\n\ndata: 2\n\n'.repeat(30));
    expect(target.connections()).toBeLessThanOrEqual(3);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('opens a new connection after a server that says Connection: close', async () => {
    const target = await listen((_req, res) => res.writeHead(200, { connection: 'close' }).end('bye'));
    const p = pool(target.url, 1);
    for (let i = 0; i < 3; i++) expect((await p.exchange(spec(target.url), input(i), collect().consumer)).outcome).toBe('ok');
    expect(target.connections()).toBe(3);
  });

  it('turns an error status into http_error with the server message', async () => {
    const target = await listen((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}'));
    const t = await pool(target.url).exchange(spec(target.url), input(), collect().consumer);
    expect(t.outcome).toBe('http_error');
    expect(t.error).toBe('HTTP 503: overloaded');
  });

  it('times out a request the server never answers, and stops one when the run stops', async () => {
    const target = await listen(() => undefined);
    const p = pool(target.url);
    const timedOut = await p.exchange(spec(target.url, { timeoutMs: 200 }), input(), collect().consumer);
    expect(timedOut.outcome).toBe('timeout');
    expect(timedOut.error).toContain('200 ms timeout');
    // The call opened its connection: its timeout ran from its start, connect included.
    expect(timedOut.endMs - callStartMs(timedOut)).toBeGreaterThanOrEqual(199);
    const stop = new AbortController();
    const pending = p.exchange(spec(target.url), input(1, stop.signal), collect().consumer);
    const waiting = Array.from({ length: 6 }, (_, i) => p.exchange(spec(target.url), input(2 + i, stop.signal), collect().consumer));
    stop.abort();
    expect((await pending).outcome).toBe('aborted');
    expect((await Promise.all(waiting)).map((t) => t.outcome)).toEqual(Array(6).fill('aborted'));
  });

  it('reports a refused connection, and a connection cut mid-answer, as connection_error with the cause', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const refused = await pool(closedUrl).exchange(spec(closedUrl), input(), collect().consumer);
    expect(refused.outcome).toBe('connection_error');
    expect(refused.error).toContain('ECONNREFUSED');

    const target = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('partial');
      setImmediate(() => res.socket!.destroy());
    });
    const cut = await pool(target.url).exchange(spec(target.url), input(), collect().consumer);
    expect(cut.outcome).toBe('connection_error');
    expect(cut.error).toContain('mid-response');
  });

  it('refuses to send a header with a line break (nothing reaches the server)', async () => {
    const target = await listen((_req, res) => res.end());
    const t = await pool(target.url).exchange(spec(target.url, { headers: { 'x-evil': 'a\r\nx-injected: 1' } }), input(), collect().consumer);
    expect(t.outcome).toBe('connection_error');
    expect(t.error).toContain('x-evil');
    expect(target.connections()).toBe(0);
  });

  it('reads a body that ends with the connection (no length, no chunking)', async () => {
    const raw = createTcpServer((socket: Socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end'));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => raw.close(resolve)));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const c = collect();
    const t = await pool(url).exchange(spec(url), input(), c.consumer);
    expect(t.outcome).toBe('ok');
    expect(c.body()).toBe('until the end');
  });

  it('charges connect to the call that opened the connection; on a kept-alive one a call starts, and its timeout runs, at its write', async () => {
    // One connection: the second call waits in the pool's queue for ≥ 600 ms, then its answer takes ≥ 600 ms.
    // Counted from its dispatch it would pass its 1 s timeout (≥ 1.2 s); from its write it has 400 ms to spare.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let served = 0;
    const target = await listen((req, res) => {
      req.resume();
      if (served++ === 0) void firstHeld.then(() => res.end('first'));
      else setTimeout(() => res.end('second'), 600);
    });
    const p = pool(target.url, 1);
    const first = p.exchange(spec(target.url, { timeoutMs: 30_000 }), input(0), collect().consumer);
    const secondDispatchedMs = nowMs();
    const second = p.exchange(spec(target.url, { timeoutMs: 1000 }), input(1), collect().consumer);
    await new Promise((resolve) => setTimeout(resolve, 600));
    releaseFirst();
    const [a, b] = await Promise.all([first, second]);
    expect(a.outcome).toBe('ok');
    expect(a.connectMs).toBeGreaterThanOrEqual(0);
    expect(b.outcome).toBe('ok');
    expect(b.connectMs).toBeUndefined();
    // Its latency starts at its write, after the queue wait (the client's time, not the server's).
    expect(callStartMs(b) - secondDispatchedMs).toBeGreaterThanOrEqual(599);
    expect(target.connections()).toBe(1);
  });
});

describe('HttpClient: the pool for its target origin, undici for any other', () => {
  it('sends templated paths, headers and bodies through the pool and a build module url on another origin through undici, with the same answer handling', async () => {
    const seen: string[] = [];
    const handler = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${name} ${req.method} ${req.url} ${req.headers['x-row']} ${body}`);
        res.end(`{"from":"${name}"}`);
      });
    };
    const a = await listen(handler('a'));
    const b = await listen(handler('b'));
    const target = httpTargetSchema.parse({ protocol: 'http', url: `${a.url}/fit/{{index}}`, method: 'POST', headers: { 'x-row': 'r{{index}}' }, body: { i: '{{index}}' } });
    const client = new HttpClient(target, { maxConcurrency: 2 });
    closers.push(() => client.close());
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) {
      const vars = { index: i, seed: 0 };
      const t = await client.send({ index: i, vars, signal, prepared: client.prepare(vars) });
      expect(t.outcome).toBe('ok');
    }
    const elsewhere = { index: 3, seed: 0, built: { url: `${b.url}/predict/3` } };
    const t = await client.send({ index: 3, vars: elsewhere, signal, prepared: client.prepare(elsewhere) });
    expect(t.outcome).toBe('ok');
    expect(t.connectMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual(['a POST /fit/0 r0 {"i":0}', 'a POST /fit/1 r1 {"i":1}', 'a POST /fit/2 r2 {"i":2}', 'b POST /predict/3 r3 {"i":3}']);
    expect(a.connections()).toBe(1);
  });
});

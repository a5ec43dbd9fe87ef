import { createServer as createHttpServer, type Server } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';

/**
 * The benchmark's own shutdown leaves nothing in a target's error log: keep-alive HTTP
 * connections end with FIN (not a reset), gRPC channels with GOAWAY (NO_ERROR). Checked on
 * node's plain http and http2 servers (not our reference server, not grpc-js's server).
 */
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

function listen(server: Server | http2.Http2Server): Promise<number> {
  closers.push(() => server.close());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('connections end cleanly', () => {
  it('HTTP keep-alive connections end with FIN, none with a reset, when the run ends', async () => {
    const ends: string[] = [];
    const server = createHttpServer({ keepAlive: true }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    server.on('connection', (socket: Socket) => {
      let how = 'open';
      socket.on('end', () => (how = 'FIN'));
      socket.on('error', (e) => (how = `error ${e.message}`));
      socket.on('close', () => ends.push(how));
    });
    const port = await listen(server);
    const { results } = await run(
      { target: { protocol: 'http', url: `http://127.0.0.1:${port}/x`, method: 'GET' }, load: { mode: 'concurrency', concurrency: 3, requests: 30 }, output: { write: false } },
      { skipProbe: true },
    );
    expect(results.points[0]!.measure.counts.ok).toBe(30);
    while (ends.length < 3) await new Promise((r) => setImmediate(r));
    expect(ends).toEqual(['FIN', 'FIN', 'FIN']);
  });

  it('gRPC ends its HTTP/2 session with GOAWAY (NO_ERROR) and FIN', async () => {
    const events: string[] = [];
    const server = http2.createServer();
    server.on('session', (session) => {
      session.on('goaway', (code) => events.push(`goaway ${code}`));
      session.socket.on('error', (e) => events.push(`error ${e.message}`));
      session.on('close', () => events.push('closed'));
    });
    // A unary gRPC answer by hand: an empty message (valid for any proto3 type), then OK trailers.
    server.on('stream', (stream) => {
      stream.resume();
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    });
    const port = await listen(server);
    const { results } = await run(
      {
        target: { protocol: 'grpc', url: `grpc://127.0.0.1:${port}`, proto: 'detector', method: 'inferbench.detector.Detector/Detect', request: {} },
        load: { requests: 5 },
        output: { write: false },
      } as never,
      { skipProbe: true },
    );
    expect(results.points[0]!.measure.counts.ok).toBe(5);
    while (!events.includes('closed')) await new Promise((r) => setImmediate(r));
    expect(events[0]).toBe(`goaway ${http2.constants.NGHTTP2_NO_ERROR}`);
    expect(events.filter((e) => e.startsWith('error'))).toEqual([]);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/run/runner.js';

/**
 * Connections end with the WebSocket closing handshake, checked by a server we did not write:
 * Python `websockets` reports a connection dropped without one as "no close frame received or
 * sent". Debian's python3-websockets (.ci/run installs it).
 */
const SERVER = fileURLToPath(new URL('./fixtures/streaming_server.py', import.meta.url));

let server: ChildProcess;
let url: string;
let log = '';

beforeAll(async () => {
  server = spawn('/usr/bin/python3', [SERVER], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening (\d+)/.exec(log);
      if (m) resolve(`ws://127.0.0.1:${m[1]}`);
    };
    server.stdout!.on('data', check);
    server.once('exit', (code) => reject(new Error(`python websockets server exited (${code}): ${log}`)));
  });
});
afterAll(() => server.kill('SIGKILL'));

/** Resolves once the server has logged `count` connection ends. */
async function connectionEnds(count: number): Promise<string[]> {
  const ends = () => log.split('\n').filter((l) => /^(closed|error) /.test(l));
  while (ends().length < count) await once(server.stdout!, 'data');
  return ends();
}

describe('WebSocket connections end cleanly', () => {
  it('closes every connection it opened with a close frame (1000), at the end of a run', async () => {
    const { results } = await run({
      target: { protocol: 'websocket', url, message: { prompt: 'hi' }, content_path: 'text', end_path: 'done' },
      load: { mode: 'concurrency', concurrency: 4, requests: 20 },
      output: { write: false },
    });
    const m = results.points[0]!.measure;
    expect(m.counts).toMatchObject({ sent: 20, ok: 20, failed: 0 });
    const ends = await connectionEnds(4);
    expect(ends).toEqual(Array(4).fill('closed code=1000 reason=benchmark finished'));
    expect(log).not.toContain('no close frame');
  });

  it('closes with 1001 (going away) when the run is stopped mid-request', async () => {
    const before = log.split('\n').filter((l) => /^(closed|error) /.test(l)).length;
    const stop = new AbortController();
    const { results } = await run(
      {
        target: { protocol: 'websocket', url, message: { prompt: 'hi' }, content_path: 'text', end_path: 'never' },
        load: { mode: 'concurrency', concurrency: 2, requests: 10 },
        output: { write: false },
      },
      // Each answer never "ends" (no "never" field): the requests wait until the stop.
      { signal: stop.signal, onProgress: (p) => p.phase === 'measure' && p.inFlight === 2 && stop.abort('test stop') },
    );
    expect(results.interrupted).toBe(true);
    const ends = (await connectionEnds(before + 2)).slice(before);
    expect(ends).toEqual(Array(2).fill('closed code=1001 reason=benchmark stopped'));
    expect(log).not.toContain('no close frame');
  });
});

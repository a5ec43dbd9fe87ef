import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { run } from '../../src/run/runner.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * The client-health verdict on real runs. These assert the verdict, never a timing: a light or
 * server-bound run is not "client-bound" however busy this machine is, and a client that cannot
 * keep up (pinned to one core beside a CPU hog, asked for far more than that half core can send) is.
 */
let fast: ServerThread;
let slow: ServerThread;
beforeAll(async () => {
  fast = await startServerThread({ seed: 5, ttftMs: 2, itlMs: 1, outputTokens: 4 });
  slow = await startServerThread({ seed: 6, ttftMs: 400, itlMs: 20, outputTokens: 8 });
}, 180_000);
afterAll(async () => {
  await fast?.close();
  await slow?.close();
});

const target = (server: ServerThread) => ({ protocol: 'openai' as const, url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 4 });

describe('client health verdict on real runs', () => {
  it('a 2 req/s run is not client-bound', async () => {
    const { results } = await run({ name: 'light', target: target(fast), load: { mode: 'rate', rate: 2, requests: 6 }, output: { write: false } }, { workers: 1 });
    const h = results.points[0]!.measure.clientHealth;
    expect(results.points[0]!.measure.counts.ok).toBe(6);
    expect(h.clientBound, JSON.stringify(h)).toBe(false);
    expect(h.lateSendThresholdMs).toBe(500);
    expect(results.warnings.join('\n')).not.toMatch(/client-bound|--workers/);
  });

  it('a -c 1 run against a slow server is not client-bound: the server set the pace', async () => {
    const { results } = await run({ name: 'slow-server', target: target(slow), load: { mode: 'concurrency', concurrency: 1, requests: 4 }, output: { write: false } }, { workers: 1 });
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(4);
    expect(m.metrics.latency!.summary.p50).toBeGreaterThan(400);
    expect(m.clientHealth.clientBound, JSON.stringify(m.clientHealth)).toBe(false);
    expect(m.clientHealth.threadBusyShare!).toBeLessThan(0.5);
    expect(results.warnings.join('\n')).not.toMatch(/client-bound|--workers/);
  });

  it('a client pinned to one core beside a CPU hog, asked for more than it can send, is client-bound', async () => {
    let hog: ChildProcess | undefined;
    try {
      hog = spawn('taskset', ['-c', '0', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
      const r = await runCli(
        ['run', '--url', `${fast.url}/echo`, '--protocol', 'http', '--body', '{"x":1}', '--rate', '20000', '-d', '2s', '--max-in-flight', '256', '--workers', '1', '--no-write', '--json', '-q'],
        { wrapper: ['taskset', '-c', '0'] },
      );
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout) as Results;
      const h = results.points[0]!.measure.clientHealth;
      expect(h.clientBound, JSON.stringify(h)).toBe(true);
      expect(h.causes!.some((c) => c === 'client-cpu' || c === 'client-starved' || c === 'late-sends'), JSON.stringify(h)).toBe(true);
      expect(results.warnings.join('\n')).toMatch(/client-bound: /);
    } finally {
      if (hog?.pid) process.kill(hog.pid);
    }
  }, 120_000);
});

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveStats } from '../../src/live/live-stats.js';
import { liveKeyMetrics } from '../../src/report/live-view.js';
import { run } from '../../src/run/runner.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { CLI_MAIN, runCli } from '../helpers/cli.js';

let server: ReferenceServer;

beforeAll(async () => {
  // Slow enough that the run lasts a few seconds; injected errors give the view an error kind to show.
  server = await serve({ ttft: 'lognormal:60ms:0.3', itl: '10ms', tokens: 'uniform:16:32', errorRate: '8%', seed: 5 });
});
afterAll(() => server.close());

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', 'inferbench-test', ...args], { encoding: 'utf8' });

/** Polls the pane until `check` accepts its text; no fixed waits. */
async function screenUntil(session: string, check: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', session);
    if (check(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${screen}`);
}

describe('live view in a pseudo-terminal (tmux)', () => {
  it('shows phase, progress, ETA, rates, rolling percentiles, errors by kind, in flight and client health; Ctrl+C restores the terminal', async () => {
    const session = `live-${process.pid}`;
    const command = `${process.execPath} ${CLI_MAIN} run --url ${server.url}/v1/chat/completions --model m -c 4 -n 400 --no-write; echo "EXITED $?"; sleep 600`;
    tmux('new-session', '-d', '-s', session, '-x', '110', '-y', '50', command);
    try {
      const first = await screenUntil(session, (s) => /\d+\/400 done/.test(s) && /ttft +p50/.test(s) && /http_error \d+/.test(s), 'the live view with an error');
      expect(first).toMatch(/inferbench · measure · concurrency=4 · [\d.]+ (ms|s) · ETA [\d.]+ (ms|s)/);
      expect(first).toMatch(/█+░+ \d+% +\d+\/400 done · \d+ in flight/);
      expect(first).toMatch(/now +[\d.]+ req\/s · [\d.]+ tok\/s \(last [\d.]+ s\)/);
      expect(first).toMatch(/ttft +p50 [\d.]+ ms +p99 [\d.]+ ms/);
      expect(first).toMatch(/itl +p50 [\d.]+ ms +p99 [\d.]+ ms/);
      expect(first).toMatch(/latency +p50 [\d.]+ ms +p99 [\d.]+ ms/);
      expect(first).toMatch(/errors +\d+ failed \(http_error \d+\)/);
      expect(first).toMatch(/client +(ok \(thread busy \d+%, event loop p99 [\d.]+ ms\)|BUSY: (thread busy|event loop p99|[\d.]+% late sends))/);
      // The cursor is hidden while the view redraws...
      expect(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('0');
      // ...and it redraws in place: the count moves, and the block is drawn once.
      const done = Number(/(\d+)\/400 done/.exec(first)![1]);
      const later = await screenUntil(session, (s) => Number(/(\d+)\/400 done/.exec(s)?.[1] ?? 0) > done, 'the count to move');
      expect(later.match(/\/400 done/g)).toHaveLength(1);

      tmux('send-keys', '-t', session, 'C-c');
      const end = await screenUntil(session, (s) => s.includes('EXITED'), 'the run to stop');
      expect(end).toContain('EXITED 130');
      expect(end).toContain('Stopping: finishing in-flight requests');
      expect(end).toMatch(/Run stopped early: interrupted by Ctrl\+C/);
      // The view is gone (the summary replaced it) and the cursor is back.
      expect(end).not.toMatch(/\/400 done/);
      expect(tmux('display', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('1');
    } finally {
      tmux('kill-session', '-t', session);
    }
  }, 90_000);
});

describe('progress without a terminal', () => {
  it('prints one plain line per interval to a pipe, with the numbers of the live view', async () => {
    const r = await runCli(['run', '--url', `${server.url}/v1/chat/completions`, '--model', 'm', '-c', '4', '-n', '60', '--no-write', '--tokenizer', 'none', '--progress-interval', '700ms']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /\d+\/60 done/.test(l))).toBe(true);
    for (const line of lines) {
      // The first line can come before the phase's first progress count, which brings the total.
      // Rolling percentiles (ttft p50 … p99 …) and errors by kind follow once requests have ended.
      expect(line).toMatch(/^\[[\d.]+ (ms|s)\] measure concurrency=4: \d+(\/60)? done(, ETA [\d.]+ (ms|s))?, [\d.]+ req\/s · [\d.]+ tok\/s(, ttft p50 [\d.]+ (ms|s) p99 [\d.]+ (ms|s).*)?(, .*\d+ failed \(.*\))?, \d+ in flight, client (ok|BUSY)/);
    }
    // No escape sequences in a log.
    expect(r.stderr).not.toContain('\x1b[');
  }, 60_000);
});

describe('LiveStats', () => {
  it('hands out each second once, and the seconds add up to the results', async () => {
    const family = { family: 'text', streamed: true } as const;
    const stats = new LiveStats({ family, keyMetrics: liveKeyMetrics(family) });
    const { results } = await run(
      { target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'm', max_tokens: 24 }, load: { concurrency: 4, requests: 50 }, output: { write: false }, tokenizer: 'none' },
      { onProgress: (p) => stats.onProgress(p), onRequest: (t, phase, point) => stats.onRequest(t, phase, point) },
    );
    const early = stats.closedSeconds();
    const rest = stats.closedSeconds(true);
    const seconds = [...early, ...rest];
    expect(stats.closedSeconds(true)).toEqual([]);
    const m = results.points[0]!.measure;
    const sum = (f: (s: (typeof seconds)[number]) => number) => seconds.reduce((n, s) => n + f(s), 0);
    expect(sum((s) => s.ok)).toBe(m.counts.ok);
    expect(sum((s) => s.failed)).toBe(m.counts.failed);
    expect(sum((s) => s.sent)).toBe(m.counts.sent);
    expect(sum((s) => s.outputTokens)).toBe(m.tokens!.totalOutputTokens);
    expect(seconds.at(-1)!.totals).toMatchObject({ ok: m.counts.ok, failed: m.counts.failed, sent: m.counts.sent });
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]!.atEpochMs).toBeGreaterThan(seconds[i - 1]!.atEpochMs);
    const view = stats.current()!;
    expect(view.family.family).toBe('text');
    expect(view.keyMetrics.map((k) => k.name)).toEqual(['ttft', 'itl', 'tpot', 'latency']);
    expect(liveKeyMetrics({ family: 'audio', streamed: true })).toEqual(['ttfc', 'rtf', 'latency']);
    expect(liveKeyMetrics({ family: 'frames', streamed: false })).toEqual(['frame_latency', 'latency']);
    expect(view.done).toBe(m.counts.completed);
  });
});

import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Timeline } from '../../src/model/timeline.js';
import type { Results } from '../../src/model/results.js';
import { run } from '../../src/run/runner.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { median } from '../helpers/stats.js';
import { clientLatenessMs, expectWithinBound } from '../helpers/lateness.js';
import { clearWriteLog, readWriteLog, startExampleServer } from './example-server.js';

/**
 * A real engine: llama.cpp (node-llama-cpp, CPU) running the tiny seeded-random model that
 * examples/llama-cpp/make-model.mjs writes, behind the example's OpenAI-compatible server.
 * The server logs when it received each request and stamps each token right before writing
 * it; inferbench's TTFT, ITL, TPOT and both token counts are compared with that log.
 *
 * Tolerances: the two stamps are on two clocks in two processes, and the client stamps on
 * arrival, after loopback and its own event loop. Errors are taken per request (per gap for
 * ITL) and their median bounded by 2 ms plus the median event-loop delay the client measured
 * in this run, so a busy machine widens the bound only by the lateness it caused. No speed is
 * asserted: the engine is as fast as the machine lets it be.
 */
const EXAMPLE = join(REPO_ROOT, 'examples/llama-cpp');
const installed = existsSync(join(EXAMPLE, 'node_modules/node-llama-cpp/package.json'));
if (!installed && process.env.CI) throw new Error('examples/llama-cpp has no node_modules: .ci/run must run `npm ci` there');
const TOKENIZER = join(EXAMPLE, 'tokenizer.json');

/** `taskset -c CPU` in front of a command where the machine has two cores or more and taskset exists. */
function pinned(cpu: number, command: string[]): string[] {
  try {
    const cores = Number(execFileSync('nproc').toString().trim());
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return cores >= 2 ? ['taskset', '-c', String(cpu), ...command] : command;
  } catch {
    return command;
  }
}

let server: ChildProcess;
let url: string;
let restoreAffinity: (() => void) | undefined;

describe.skipIf(!installed)('examples/llama-cpp: a real llama.cpp engine', () => {
  beforeAll(async () => {
    // Server on the second core, this process (the client) on the first.
    ({ server, url } = await startExampleServer(pinned(1, [process.execPath, 'server.mjs', '--port', '0', '--sequences', '2', '--threads', '1']), EXAMPLE));
    if (pinned(0, ['x']).length > 1) {
      execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
      restoreAffinity = () => execFileSync('taskset', ['-cp', `0-${Number(execFileSync('nproc').toString()) - 1}`, String(process.pid)], { stdio: 'ignore' });
    }
  }, 60_000);
  afterAll(() => {
    restoreAffinity?.();
    server?.kill('SIGTERM');
  });

  it("measures TTFT, ITL, TPOT and both token counts as the server's write log has them", async () => {
    await clearWriteLog(url);
    const timelines: Timeline[] = [];
    const { results } = await run(
      {
        target: { protocol: 'openai', url: `${url}/v1/completions`, model: 'inferbench/tiny-llama' },
        workload: { input_tokens: '64:8', output_tokens: 40 },
        tokenizer: TOKENIZER,
        load: { concurrency: 2, requests: 24 },
        phases: { warmup: { requests: 2 } },
        output: { write: false },
      },
      { onRequest: (t, phase) => phase === 'measure' && timelines.push(t) },
    );
    const log = await readWriteLog(url);
    const byId = new Map(log.map((r) => [r.id, r]));
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(24);
    expect(timelines).toHaveLength(24);

    const err = { ttft: [] as number[], itl: [] as number[], tpot: [] as number[] };
    let gaps = 0;
    for (const t of timelines) {
      const truth = byId.get(t.serverRequestId!)!;
      expect(truth, `write log has request ${t.serverRequestId}`).toBeDefined();
      // Tokens: usage, the log and the events agree; one token per event with this vocabulary.
      expect(t.usageTokens).toBe(40);
      expect(truth.completionTokens).toBe(40);
      expect(t.content).toHaveLength(truth.writes.length);
      // Input: usage is the engine's count (BOS + the prompt), the client's tokenizer.json counts the prompt alone.
      expect(t.usageInputTokens).toBe(truth.promptTokens);
      const writes = truth.writes;
      err.ttft.push(t.content[0]!.atMs - t.sentMs - (writes[0]!.atMs - truth.receivedMs));
      for (let i = 1; i < writes.length; i++) {
        err.itl.push(t.content[i]!.atMs - t.content[i - 1]!.atMs - (writes[i]!.atMs - writes[i - 1]!.atMs));
        gaps++;
      }
      const ours = (t.content.at(-1)!.atMs - t.content[0]!.atMs) / (t.usageTokens! - 1);
      err.tpot.push(ours - (writes.at(-1)!.atMs - writes[0]!.atMs) / (truth.completionTokens - 1));
    }
    expect(m.tokens!.source).toBe('usage');
    expect(m.tokens!.totalOutputTokens).toBe(24 * 40);
    expect(m.tokens!.input!.usageTotal! - m.tokens!.input!.tokenizerTotal!).toBe(24); // one BOS per request
    expect(m.metrics.itl!.summary.count).toBe(gaps);
    expect(m.metrics.ttft!.summary.count).toBe(24);
    const input = m.metrics.input_tokens!.summary;
    expect(Math.abs(input.mean - 65)).toBeLessThan(6); // 64 ± 8 drawn 24 times, plus BOS

    // 2 ms plus the client's own measured lateness, as every ground-truth test (test/helpers/lateness.ts); TPOT averages ~40 gaps, so a tenth of it.
    const abs = (a: number[]) => a.map(Math.abs);
    expectWithinBound(median(abs(err.ttft)), 2, m, `ttft (errors ${err.ttft.map((e) => e.toFixed(2))})`);
    expectWithinBound(median(abs(err.itl)), 2, m, 'itl');
    expect(median(abs(err.tpot))).toBeLessThan((2 + clientLatenessMs(m)) / 10);
  });

  it('inferbench run against it from the CLI: chat completions with input and output tokens', async () => {
    const r = await runCli(['run', '--url', `${url}/v1/chat/completions`, '--max-tokens', '32', '-c', '2', '-n', '10', '--no-write', '--json']);
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const m = (JSON.parse(r.stdout) as Results).points[0]!.measure;
    expect(m.counts.ok).toBe(10);
    expect(m.tokens!.totalOutputTokens).toBe(320);
    expect(m.tokens!.input!.source).toBe('usage');
    expect(r.stderr).toMatch(/input tokens: \d+ \(source: usage/);
  });

  it("inferbench overhead on the engine's generate, onTextChunk callback and async iterator", async () => {
    const r = await runCli(['overhead', '--module', './model.mjs', '--input', '{"tokens":32}', '--rounds', '6', '--warmup', '1', '--json'], { cwd: EXAMPLE });
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const report = JSON.parse(r.stdout) as { modes: { name: string; calls: number; tokens?: number; tokensPerSecond?: number; overhead?: { percent: number } }[] };
    expect(report.modes.map((x) => x.name)).toEqual(['generate', 'stream', 'streamAsync']);
    for (const mode of report.modes) {
      expect(mode.calls).toBe(6);
      expect(mode.tokens).toBe(32);
      expect(mode.tokensPerSecond!).toBeGreaterThan(0);
    }
    expect(Number.isFinite(report.modes[1]!.overhead!.percent)).toBe(true);
  });
});

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Results } from '../../src/model/results.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { median } from '../helpers/stats.js';
import { clearWriteLog, readWriteLog, startExampleServer } from './example-server.js';

/**
 * A second real engine: onnxruntime-node (CPU) running the tiny recurrent model that
 * examples/onnxruntime/make-model.mjs writes in the ONNX protobuf format, one session.run per
 * token. In process, structure only: every mode decodes the asked number of tokens, and a
 * streamed run records one content event per token; no speed is asserted.
 *
 * Behind the example's OpenAI-compatible server (server.mjs), the built CLI's TTFT, ITL and TPOT
 * medians are compared with the medians of the server's write log (the stamp right before each
 * token's write), and both token counts must equal it exactly. The CLI gives distributions, not
 * requests, so medians are compared with medians. Bound: 2 ms (loopback both ways, the two
 * stamps being in two processes) plus the client's own lateness in that run, the p99 event-loop
 * delay it measured beyond its 10 ms sampling interval (results' clientHealth already subtracts it).
 */
const EXAMPLE = join(REPO_ROOT, 'examples/onnxruntime');
const installed = existsSync(join(EXAMPLE, 'node_modules/onnxruntime-node/package.json'));
if (!installed && process.env.CI) throw new Error('examples/onnxruntime has no node_modules: .ci/run must run `npm ci` there');

describe.skipIf(!installed)('examples/onnxruntime: onnxruntime-node on a model our script writes', () => {
  it('inferbench overhead compares generate, a callback stream and an async iterator over real session.run calls', async () => {
    const r = await runCli(['overhead', '--module', './model.mjs', '--input', '{"tokens":32}', '--rounds', '6', '--warmup', '1', '--json'], { cwd: EXAMPLE });
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const report = JSON.parse(r.stdout) as { modes: { name: string; calls: number; tokens?: number; tokensPerSecond?: number }[] };
    expect(report.modes.map((m) => m.name)).toEqual(['generate', 'stream', 'streamAsync']);
    for (const m of report.modes) expect([m.calls, m.tokens]).toEqual([6, 32]);
  });

  it('inferbench run --module streams one content event per token', async () => {
    const r = await runCli(['run', '--module', './model.mjs', '--mode', 'streamAsync', '--request', '{"tokens":24}', '-n', '5', '--no-write', '--json', '-q'], { cwd: EXAMPLE });
    expect(r.code, r.stderr).toBe(ExitCode.ok);
    const m = (JSON.parse(r.stdout) as Results).points[0]!.measure;
    expect(m.counts.ok).toBe(5);
    expect(m.metrics.itl!.summary.count).toBe(5 * 23);
    expect(m.metrics.ttft!.summary.count).toBe(5);
  });

  describe('behind server.mjs, measured by inferbench run', () => {
    let server: ChildProcess;
    let url: string;
    beforeAll(async () => {
      ({ server, url } = await startExampleServer([process.execPath, 'server.mjs', '--port', '0'], EXAMPLE));
    }, 60_000);
    afterAll(() => {
      server?.kill('SIGTERM');
    });

    it("TTFT, ITL, TPOT and both token counts as the server's write log has them", async () => {
      const requests = 20;
      const outputTokens = 40;
      await clearWriteLog(url);
      const r = await runCli(['run', '--url', `${url}/v1/chat/completions`, '--max-tokens', String(outputTokens), '-c', '2', '-n', String(requests), '--no-write', '--json']);
      expect(r.code, r.stderr).toBe(ExitCode.ok);
      const m = (JSON.parse(r.stdout) as Results).points[0]!.measure;
      const log = await readWriteLog(url);

      // Tokens: exactly what the server counted and wrote, one write (one SSE event) per token.
      expect(m.counts.ok).toBe(requests);
      expect(log).toHaveLength(requests);
      for (const req of log) expect([req.completionTokens, req.writes.length]).toEqual([outputTokens, outputTokens]);
      expect(m.tokens!.source).toBe('usage');
      expect(m.tokens!.totalOutputTokens).toBe(log.reduce((n, q) => n + q.completionTokens, 0));
      expect(m.tokens!.input!.source).toBe('usage');
      expect(m.tokens!.input!.usageTotal).toBe(log.reduce((n, q) => n + q.promptTokens, 0));
      const promptTokens = log.map((q) => q.promptTokens);
      expect(m.metrics.input_tokens!.summary).toMatchObject({ count: requests, min: Math.min(...promptTokens), max: Math.max(...promptTokens) });
      expect(m.metrics.output_tokens!.summary).toMatchObject({ count: requests, min: outputTokens, max: outputTokens });
      expect(m.metrics.ttft!.summary.count).toBe(requests);
      expect(m.metrics.itl!.summary.count).toBe(requests * (outputTokens - 1));

      const truth = {
        ttft: log.map((q) => q.writes[0]!.atMs - q.receivedMs),
        itl: log.flatMap((q) => q.writes.slice(1).map((w, i) => w.atMs - q.writes[i]!.atMs)),
        tpot: log.map((q) => (q.writes.at(-1)!.atMs - q.writes[0]!.atMs) / (q.completionTokens - 1)),
      };
      const lateMs = m.clientHealth.eventLoopDelayMs.p99;
      const boundMs = 2 + lateMs;
      const seen = (name: 'ttft' | 'itl' | 'tpot') => `${name}: inferbench p50 ${m.metrics[name]!.summary.p50.toFixed(3)} ms, write log median ${median(truth[name]).toFixed(3)} ms, client lateness p99 ${lateMs.toFixed(1)} ms`;
      expect(Math.abs(m.metrics.ttft!.summary.p50 - median(truth.ttft)), seen('ttft')).toBeLessThan(boundMs);
      expect(Math.abs(m.metrics.itl!.summary.p50 - median(truth.itl)), seen('itl')).toBeLessThan(boundMs);
      // TPOT spreads the first and last token's error over the 39 gaps between them.
      expect(Math.abs(m.metrics.tpot!.summary.p50 - median(truth.tpot)), seen('tpot')).toBeLessThan(boundMs / 10);
    });

    it('answers whole (not streamed) with usage, logged as one write', async () => {
      await clearWriteLog(url);
      const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'abc' }], max_tokens: 7 }) });
      const body = (await res.json()) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; completion_tokens: number } };
      const [logged] = await readWriteLog(url);
      // "user: abc\nassistant:" is 20 characters, one token each.
      expect(body.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 7 });
      expect(body.choices[0]!.message.content).toHaveLength(7);
      expect(res.headers.get('x-inferbench-request-id')).toBe(logged!.id);
      expect(logged!.writes).toMatchObject([{ tokens: 7, chars: 7 }]);
    });
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * The LLM workload generators and profiles against the reference server, run through the
 * built CLI as a user runs them. The server counts prompt tokens with o200k_base (the
 * client's default tokenizer) and honours ignore_eos / min_tokens, so what the client asked
 * for can be checked against what the server reports.
 */
let server: ServerThread;
beforeAll(async () => {
  // Left alone, the server would stop after 16-64 tokens: an output of exactly 128 proves the request forced it.
  server = await startServerThread({ seed: 21, ttftMs: '5ms', itlMs: '0.5ms', outputTokens: 'uniform:16:64' });
});
afterAll(() => server.close());

async function runJson(args: string[]): Promise<Results> {
  const r = await runCli(['run', '--url', `${server.url}/v1/chat/completions`, '--no-write', '--json', '-q', ...args]);
  expect(r.code, r.stderr).toBe(ExitCode.ok);
  return JSON.parse(r.stdout) as Results;
}

describe('--input-tokens and --output-tokens', () => {
  it('sends prompts of N ± σ tokens under the tokenizer and outputs of exactly the asked length; input tokens equal usage', async () => {
    const results = await runJson(['--input-tokens', '256:32', '--output-tokens', '128', '-c', '16', '-n', '400']);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(400);
    const input = m.metrics.input_tokens!.summary;
    expect(input.count).toBe(400);
    expect(Math.abs(input.mean / 256 - 1)).toBeLessThan(0.02);
    expect(Math.abs(input.std / 32 - 1)).toBeLessThan(0.15);
    // The server's usage and the client's own count of the prompts agree token for token.
    expect(m.tokens!.input!.source).toBe('usage');
    expect(m.tokens!.input!.usageTotal).toBe(m.tokens!.input!.tokenizerTotal);
    expect(m.tokens!.input!.totalInputTokens).toBe(m.tokens!.input!.usageTotal);
    const output = m.metrics.output_tokens!.summary;
    expect([output.count, output.min, output.max]).toEqual([400, 128, 128]);
    expect(m.tokens!.totalOutputTokens).toBe(400 * 128);
    expect(m.throughput.inputTokensPerSecond).toBeCloseTo((m.tokens!.input!.totalInputTokens * 1000) / m.durationMs, 6);
    expect(m.throughput.totalTokensPerSecond).toBeCloseTo(m.throughput.inputTokensPerSecond! + m.throughput.outputTokensPerSecond!, 6);
  });

  it('puts one shared prefix of P tokens in every prompt, counted in input tokens', async () => {
    const results = await runJson(['--input-tokens', '40', '--prefix-tokens', '100', '--output-tokens', '4', '-c', '4', '-n', '20']);
    const input = results.points[0]!.measure.metrics.input_tokens!.summary;
    expect([input.min, input.max]).toEqual([140, 140]);
  });
});

describe('conversation datasets', () => {
  it('runs a ShareGPT file of 3-turn conversations as sessions, with TTFT per turn and a growing history', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-sharegpt-'));
    const file = join(dir, 'sharegpt.json');
    const conversations = Array.from({ length: 8 }, (_, c) => ({
      id: `c${c}`,
      conversations: [1, 2, 3].flatMap((turn) => [
        { from: 'human', value: `Conversation ${c}, question ${turn}: how does a cache of keys and values speed up decoding?` },
        { from: 'gpt', value: 'It keeps the attention keys and values of earlier tokens. '.repeat(turn) },
      ]),
    }));
    await writeFile(file, JSON.stringify(conversations));
    const results = await runJson(['--dataset', file, '--sessions', '-c', '4', '-n', '24']);
    const m = results.points[0]!.measure;
    expect(m.counts.ok).toBe(24);
    const turnInput = [1, 2, 3].map((turn) => m.metrics[`turn_${turn}_input_tokens`]!.summary);
    // -n counts requests: a session that finished early starts the next conversation (the file
    // wraps) while others still have turns to send, so up to c − 1 conversations end cut short.
    const perTurn = [1, 2, 3].map((turn) => m.metrics[`turn_${turn}_ttft`]!.summary.count);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBe(24);
    expect(perTurn[0]).toBeGreaterThanOrEqual(perTurn[1]!);
    expect(perTurn[1]).toBeGreaterThanOrEqual(perTurn[2]!);
    expect(perTurn[2]).toBeGreaterThanOrEqual(8 - 3);
    expect(turnInput.map((s) => s.count)).toEqual(perTurn);
    // Each turn resends the history, the server's answers included.
    expect(turnInput[1]!.min).toBeGreaterThan(turnInput[0]!.max);
    expect(turnInput[2]!.min).toBeGreaterThan(turnInput[1]!.max);
    // Output lengths follow the recorded replies (asked as max_tokens).
    expect(m.metrics.output_tokens!.summary.max).toBeLessThanOrEqual(3 * 13);
  });
});

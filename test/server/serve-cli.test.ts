import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI_MAIN } from '../helpers/cli.js';
import { describe, expect, it } from 'vitest';
import { parseServeOptions } from '../../src/cli/serve.js';
import { InvalidServerOptionsError, serve } from '../../src/server/index.js';

describe('inferbench serve flags', () => {
  it('parses every flag into server settings', () => {
    const settings = parseServeOptions({
      port: '8123',
      host: '0.0.0.0',
      ttft: 'lognormal:200ms:0.25',
      itl: 'uniform:10ms:30ms',
      tokens: '128',
      tokensPerChunk: '4',
      roleChunk: 'headers',
      ttftPerInFlight: '5ms',
      seed: '9',
      echoDelay: '1.5s',
      errorRate: '5%',
      errorStatus: '503',
      midStreamCloseRate: '0.01',
      midStreamErrorRate: '0.02',
      stallRate: '0',
      maxRecords: '10',
      model: 'org/m',
    });
    expect(settings).toMatchObject({
      port: 8123,
      host: '0.0.0.0',
      ttftMs: { kind: 'lognormal', median: 200, sigma: 0.25 },
      itlMs: { kind: 'uniform', min: 10, max: 30 },
      outputTokens: { kind: 'fixed', value: 128 },
      tokensPerChunk: 4,
      roleChunkAt: 'headers',
      ttftPerInFlightMs: 5,
      seed: 9,
      echoDelayMs: { kind: 'fixed', value: 1500 },
      errorRate: 0.05,
      errorStatus: 503,
      midStreamCloseRate: 0.01,
      midStreamErrorRate: 0.02,
      maxGroundTruthRecords: 10,
      model: 'org/m',
    });
  });

  it('names every bad flag and its accepted format, all at once', () => {
    let problems: string[] = [];
    try {
      parseServeOptions({ ttft: '200', tokens: 'many', roleChunk: 'early', errorRate: 'often', port: '70000', stallRate: '1.5' });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidServerOptionsError);
      problems = (error as InvalidServerOptionsError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^--ttft: "200" is not a duration; use a number with a unit: 200ms/),
      expect.stringMatching(/^--tokens: "many" is not a number of tokens; use 64, lognormal:64:0.5/),
      expect.stringMatching(/^--role-chunk: "early" is not a choice; use first-token \(as vLLM\) or headers/),
      expect.stringMatching(/^--error-rate: "often" is not a number; use a fraction such as 0.05 or a percentage such as 5%/),
      expect.stringMatching(/^--port: 70000 is invalid; use a whole number from 0 to 65535/),
      expect.stringMatching(/^--stall-rate: 1.5 is invalid; use a fraction/),
    ]);
  });
});

describe('serve() from code', () => {
  it('takes the CLI flags\' names and forms, numbers as ms and shares, and the old names too', async () => {
    const server = await serve({ ttft: '30ms', itl: 2, tokens: 'uniform:4:8', errorRate: '5%', maxRecords: 50, heartbeat: '2s', roleChunk: 'headers', ttsRtf: 0.5 });
    try {
      expect(server.settings).toMatchObject({
        ttftMs: { kind: 'fixed', value: 30 },
        itlMs: { kind: 'fixed', value: 2 },
        outputTokens: { kind: 'uniform', min: 4, max: 8 },
        errorRate: 0.05,
        maxGroundTruthRecords: 50,
        heartbeatMs: 2000,
        roleChunkAt: 'headers',
        ttsRealTimeFactor: 0.5,
      });
      expect(server.port).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
    const legacy = await serve({ ttftMs: 'lognormal:40ms:0.2', outputTokens: 6, maxGroundTruthRecords: 7 });
    try {
      expect(legacy.settings).toMatchObject({ ttftMs: { kind: 'lognormal', median: 40, sigma: 0.2 }, outputTokens: { kind: 'fixed', value: 6 }, maxGroundTruthRecords: 7 });
    } finally {
      await legacy.close();
    }
  });

  it('rejects bad options with the flag they match, before listening', async () => {
    await expect(serve({ ttft: 'soon', errorRate: 2 })).rejects.toThrow(/--ttft: "soon" is not a duration[\s\S]*--error-rate: 2 is invalid/);
  });
});

describe('inferbench serve process', () => {

  it('prints its URL and example commands, serves, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--port', '0', '--ttft', '1ms', '--itl', '0ms', '--tokens', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes('Ctrl+C')) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    expect(stdout).toContain(`curl -N ${url}/v1/chat/completions`);
    expect(stdout).toContain('ttft 1ms · itl 0ms · tokens 3 · seed 1');
    const answer = await fetch(`${url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x' }) });
    expect(((await answer.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(3);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout).toContain('stopped (SIGINT)');
  });

  it('exits with status 2 and a message naming the flag on bad input', async () => {
    const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--itl', 'uniform:30ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--itl: "uniform:30ms" is not a distribution; use 200ms, 1.5s, lognormal:200ms:0.25 (median:sigma) or uniform:10ms:30ms (min:max)');
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/config-error.js';
import { cappedCount, loadEncodeCount, loadTokenCounter, loadTokenizer, TOKENIZER_CAP_CHARS, tokenizerPieces } from '../../src/measure/tokens.js';
import { Recorder } from '../../src/measure/recorder.js';
import { TimelineBuilder } from '../../src/model/timeline.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { writeWordLevelTokenizer } from '../workload/fixtures.js';

describe('client-side token counting', () => {
  it('counts tokens with gpt-tokenizer and loads each encoding once', async () => {
    const count = await loadEncodeCount();
    expect(count('')).toBe(0);
    expect(count('hello world')).toBe(2);
    expect(await loadEncodeCount()).toBe(count);
    const cl100k = await loadEncodeCount('cl100k_base');
    expect(cl100k('hello world')).toBe(2);
  });

  it('counts in pieces of at most 2 Ki characters that cover the text exactly, cut before whitespace', () => {
    const prose = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const pieces = tokenizerPieces(prose);
    expect(pieces.join('')).toBe(prose);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(2048);
    for (const p of pieces.slice(1)) expect(p[0]).toMatch(/\s/);
    // A run without whitespace is cut where it must be.
    expect(tokenizerPieces('x'.repeat(5000)).map((p) => p.length)).toEqual([2048, 2048, 904]);
  });

  it('counts ordinary text in pieces as it counts it whole, within 0.1%', async () => {
    const count = await loadEncodeCount();
    const prose = readFileSync(`${REPO_ROOT}/README.md`, 'utf8') + readFileSync(`${REPO_ROOT}/BENCHMARKS.md`, 'utf8');
    const whole = encode(prose).length;
    expect(Math.abs(count(prose) - whole) / whole).toBeLessThan(0.001);
  });

  it('counts at most 64 Ki characters of an answer and extrapolates a longer one by its length, marked estimated', () => {
    const counted: number[] = [];
    const byChars = (text: string) => (counted.push(text.length), text.length / 4);
    expect(cappedCount(byChars, 'abcd'.repeat(100))).toEqual({ tokens: 100, estimated: false });
    expect(cappedCount(byChars, 'x'.repeat(TOKENIZER_CAP_CHARS), 4 * TOKENIZER_CAP_CHARS)).toEqual({ tokens: TOKENIZER_CAP_CHARS, estimated: true });
    expect(counted).toEqual([400, TOKENIZER_CAP_CHARS]);
  });

  it('counts answers in the tokenizer process, as gpt-tokenizer counts them here, and stops counting on abort', async () => {
    const counter = loadTokenCounter();
    const count = await loadEncodeCount();
    const long = readFileSync(`${REPO_ROOT}/README.md`, 'utf8').slice(0, 20_000);
    const [a, b] = await Promise.all([counter.count(long), counter.count('hello world')]);
    expect(a).toEqual({ tokens: count(long), estimated: false });
    expect(b).toEqual({ tokens: 2, estimated: false });
    const stop = new AbortController();
    const pending = counter.count('x'.repeat(1 << 20), 1 << 20, stop.signal);
    stop.abort();
    expect(Number.isNaN((await pending).tokens)).toBe(true);
    await counter.close();
  });

  it('runs of one process share one tokenizer process; one closed while it still counts is killed', async () => {
    const first = loadTokenCounter();
    await first.ready();
    expect(await first.count('hello world')).toEqual({ tokens: 2, estimated: false });
    await first.close();
    // The next run finds the tables loaded.
    const second = loadTokenCounter();
    expect(second.pid).toBe(first.pid);
    expect(await second.count('hello world')).toEqual({ tokens: 2, estimated: false });
    expect((await first.count('hello world')).tokens).toBeNaN();
    // Closed while an answer is still being counted (a stopped run): nothing may hold this process up.
    const pending = second.count('word '.repeat(200_000));
    await second.close();
    expect((await pending).tokens).toBeNaN();
    const third = loadTokenCounter();
    expect(third.pid).not.toBe(first.pid);
    expect(await third.count('hello world')).toEqual({ tokens: 2, estimated: false });
    await third.close();
  });

  it('the results state the cap and how many answers were estimated', async () => {
    const recorder = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 0, openLoop: false });
    for (const [i, estimated] of [false, true].entries()) {
      const tl = new TimelineBuilder(i);
      tl.sent(0);
      tl.text('some text', 1, 5);
      recorder.record(tl.finish('ok', undefined, 10), { output: { tokens: 7, estimated } });
    }
    const tokens = recorder.toPhaseResult({ eventLoopDelayMs: { mean: 0, p99: 0, max: 0 }, cpuPercent: 0, threadBusyShare: 0 }).tokens;
    expect(tokens).toMatchObject({ source: 'tokenizer', tokenizerTotal: 14, tokenizerCapChars: TOKENIZER_CAP_CHARS, tokenizerEstimatedAnswers: 1 });
  });
});

describe('answer text kept per request', () => {
  it('keeps the first 64 Ki characters and the whole length', () => {
    const tl = new TimelineBuilder(0);
    for (let i = 0; i < 100; i++) tl.text('y'.repeat(1000), 1, i);
    const t = tl.finish('ok');
    expect(t.text!.length).toBe(65_536);
    expect(t.textChars).toBe(100_000);
  });
});

describe("a model's own tokenizer.json", () => {
  it('loads from the file or its folder and encodes, decodes and counts without special tokens', async () => {
    const dir = writeWordLevelTokenizer();
    for (const spec of [dir, join(dir, 'tokenizer.json')]) {
      const t = await loadTokenizer(spec);
      const ids = t.encode('The harbour was quiet, before dawn.');
      // The, harbour, was, quiet, ",", before, dawn, "."
      expect(ids).toHaveLength(8);
      expect(t.count('The harbour was quiet, before dawn.')).toBe(8);
      expect(t.count('')).toBe(0);
      expect(t.encode(t.decode(ids))).toEqual(ids);
    }
  });

  it('names the field and the fix when the file is missing or is not a tokenizer.json', async () => {
    const missing = await loadTokenizer('/nonexistent/tokenizer.json', 'tokenizer').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).problems[0]!.path).toBe('tokenizer');
    expect((missing as ConfigError).problems[0]!.message).toMatch(/cannot read \/nonexistent\/tokenizer\.json.*o200k_base/);
    const dir = writeWordLevelTokenizer();
    writeFileSync(join(dir, 'not-a-tokenizer.json'), '{"hello": 1}');
    const wrong = await loadTokenizer(join(dir, 'not-a-tokenizer.json')).catch((e: unknown) => e);
    expect((wrong as ConfigError).problems[0]!.message).toMatch(/not a Hugging Face tokenizer\.json/);
  });
});

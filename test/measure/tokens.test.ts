import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/config-error.js';
import { loadTokenCounter, loadTokenizer } from '../../src/measure/tokens.js';
import { writeWordLevelTokenizer } from '../workload/fixtures.js';

describe('loadTokenCounter', () => {
  it('counts tokens with gpt-tokenizer and loads each encoding once', async () => {
    const count = await loadTokenCounter();
    expect(count('')).toBe(0);
    expect(count('hello world')).toBe(2);
    expect(await loadTokenCounter()).toBe(count);
    const cl100k = await loadTokenCounter('cl100k_base');
    expect(cl100k('hello world')).toBe(2);
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

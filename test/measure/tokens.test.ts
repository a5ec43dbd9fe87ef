import { describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../src/measure/tokens.js';

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

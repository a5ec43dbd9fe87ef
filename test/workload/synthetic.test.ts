import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src/measure/tokens.js';
import { seededRng } from '../../src/random.js';
import { drawLength, tokenLengthSchema } from '../../src/workload/lengths.js';
import { SyntheticText } from '../../src/workload/synthetic.js';
import { writeWordLevelTokenizer } from './fixtures.js';

describe('synthetic prompts', () => {
  it.each(['o200k_base', 'cl100k_base', 'tokenizer.json'])('cut to exactly the asked token count under %s', async (name) => {
    const tokenizer = await loadTokenizer(name === 'tokenizer.json' ? writeWordLevelTokenizer() : name);
    const text = new SyntheticText(tokenizer, 42, 1200);
    const random = seededRng(7);
    const prefix = text.text(64, random);
    expect(tokenizer.count(prefix)).toBe(64);
    for (const n of [1, 2, 3, 17, 100, 256, 511, 1000]) {
      expect(tokenizer.count(text.text(n, random))).toBe(n);
      // With a shared prefix the count includes it, and the prompt starts with it.
      if (n > 64) {
        const withPrefix = text.text(n, random, prefix);
        expect(withPrefix.startsWith(prefix)).toBe(true);
        expect(tokenizer.count(withPrefix)).toBe(n);
      }
    }
  });

  it('gives the same prompts for the same seeds, and different ones for others', async () => {
    const tokenizer = await loadTokenizer('o200k_base');
    const a = new SyntheticText(tokenizer, 1, 300).text(200, seededRng(5));
    const b = new SyntheticText(tokenizer, 1, 300).text(200, seededRng(5));
    const c = new SyntheticText(tokenizer, 1, 300).text(200, seededRng(6));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe('token lengths', () => {
  it('reads N, "N:STD" and {mean, std} and names a bad one', () => {
    expect(tokenLengthSchema.parse(128)).toEqual({ mean: 128, std: 0 });
    expect(tokenLengthSchema.parse('256:32')).toEqual({ mean: 256, std: 32 });
    expect(tokenLengthSchema.parse({ mean: 10 })).toEqual({ mean: 10, std: 0 });
    expect(tokenLengthSchema.safeParse('256:').error?.issues[0]?.message).toMatch(/expected N or N:STD tokens .*e.g. 256 or 256:32; got "256:"/);
  });

  it('draws a normal distribution with the asked mean and std (seeded), never below 1', () => {
    const random = seededRng(3);
    const draws = Array.from({ length: 20000 }, () => drawLength({ mean: 256, std: 32 }, random));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const std = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
    expect(Math.abs(mean - 256)).toBeLessThan(1);
    expect(Math.abs(std - 32)).toBeLessThan(1);
    expect(draws.every(Number.isInteger)).toBe(true);
    expect(Math.min(...Array.from({ length: 1000 }, () => drawLength({ mean: 2, std: 10 }, random)))).toBe(1);
  });
});

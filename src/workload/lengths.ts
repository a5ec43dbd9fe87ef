import { z } from 'zod';
import { standardNormal } from '../random.js';

/** A token length: a mean and a standard deviation (0 = every request the same length). */
export interface TokenLength {
  mean: number;
  std: number;
}

const LENGTH_TEXT = /^\s*(\d+)\s*(?::\s*(\d+(?:\.\d+)?)\s*)?$/;

/**
 * `256`, `"256:32"` or `{ mean: 256, std: 32 }` (the `N[:STD]` of `--input-tokens` and
 * `--output-tokens`), for scenario fields.
 */
export const tokenLengthSchema = z.union([
  z.number().int().positive('expected a token count above 0').transform((mean): TokenLength => ({ mean, std: 0 })),
  z.string().transform((text, ctx): TokenLength => {
    const m = LENGTH_TEXT.exec(text);
    if (!m || Number(m[1]) < 1) {
      ctx.addIssue({ code: 'custom', message: `expected N or N:STD tokens, e.g. 256 or 256:32; got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return { mean: Number(m[1]), std: Number(m[2] ?? 0) };
  }),
  z.strictObject({ mean: z.number().int().positive(), std: z.number().nonnegative().default(0) }),
]);

/** A seeded draw: normal(mean, std) rounded, at least 1 (std 0 gives the mean every time). */
export function drawLength(length: TokenLength, random: () => number): number {
  if (length.std === 0) return length.mean;
  return Math.max(1, Math.round(length.mean + length.std * standardNormal(random)));
}

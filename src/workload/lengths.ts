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
export const tokenLengthSchema = z
  .union([z.number(), z.string(), z.strictObject({ mean: z.number(), std: z.number().optional() })], {
    error: 'expected N or "N:STD" tokens (e.g. 256 or "256:32"), or { mean, std }',
  })
  .transform((value, ctx): TokenLength => {
    const m = typeof value === 'string' ? LENGTH_TEXT.exec(value) : undefined;
    const length = typeof value === 'number' ? { mean: value, std: 0 } : typeof value === 'string' ? (m ? { mean: Number(m[1]), std: Number(m[2] ?? 0) } : undefined) : { mean: value.mean, std: value.std ?? 0 };
    if (!length || !Number.isInteger(length.mean) || length.mean < 1 || !(length.std >= 0)) {
      ctx.addIssue({ code: 'custom', message: `expected N or N:STD tokens with N a whole number >= 1, e.g. 256 or 256:32; got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return length;
  });

/** A seeded draw: normal(mean, std) rounded, at least 1 (std 0 gives the mean every time). */
export function drawLength(length: TokenLength, random: () => number): number {
  if (length.std === 0) return length.mean;
  return Math.max(1, Math.round(length.mean + length.std * standardNormal(random)));
}

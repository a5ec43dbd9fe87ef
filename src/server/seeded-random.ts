/**
 * Seeded randomness for the reference server. Every random choice the server makes
 * (timings, faults, text) comes from here, so one seed reproduces a whole run.
 *
 * Generator: mulberry32 (Tommy Ettinger's 32-bit generator, public domain). It is tiny,
 * fast and passes gjrand/PractRand far enough for timing jitter; it is not for
 * cryptography. Each request gets its own independent streams, keyed by
 * (seed, request index, purpose), so a request's plan depends only on the seed and
 * on how many requests came before it, never on timing or interleaving.
 */

import { seededRng, type Rng } from '../random.js';

/** Returns a uniform number in [0, 1). */
export type Random = Rng;

/** The project's one generator (src/random.ts), under the name the server's code and tests use. */
export { seededRng as mulberry32, standardNormal } from '../random.js';

/** murmur3's 32-bit finalizer folded over each key: nearby keys (request 7, request 8) give unrelated seeds. */
function mixKeys(keys: readonly number[]): number {
  let hash = 0x9e3779b9;
  for (const key of keys) {
    // Fold in both halves so seeds above 2^32 still matter.
    for (const word of [key >>> 0, Math.floor(key / 4294967296) >>> 0]) {
      hash = Math.imul(hash ^ word, 0x85ebca6b);
      hash ^= hash >>> 13;
      hash = Math.imul(hash, 0xc2b2ae35);
      hash ^= hash >>> 16;
    }
  }
  return hash >>> 0;
}

/** An independent stream for one purpose, e.g. `randomStream(seed, requestIndex, RandomPurpose.timing)`. */
export function randomStream(...keys: number[]): Random {
  return seededRng(mixKeys(keys));
}

/** Keys that separate a request's streams, so changing one distribution never changes which requests fault. */
export const RandomPurpose = { timing: 1, fault: 2, text: 3, echo: 4 } as const;

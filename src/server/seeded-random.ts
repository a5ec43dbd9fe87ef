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

/** Returns a uniform number in [0, 1). */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  return mulberry32(mixKeys(keys));
}

/** Keys that separate a request's streams, so changing one distribution never changes which requests fault. */
export const RandomPurpose = { timing: 1, fault: 2, text: 3, echo: 4 } as const;

/** Standard normal sample (Box–Muller). */
export function standardNormal(random: Random): number {
  const u1 = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * mulberry32: a small seeded generator, so the same seed writes the same model file (both engine examples use it).
 * The same 8 lines as inferbench's own src/random.ts, kept here so the examples' model scripts run without a build.
 */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { describe, expect, it } from 'vitest';
import { closedLoopIndices, formatSegment, ownsArrival, parseSegment, usersOf, workerShare } from '../../src/load/share.js';

const take = (g: Generator<number>, n = Infinity) => {
  const out: number[] = [];
  for (const i of g) {
    if (out.length >= n) break;
    out.push(i);
  }
  return out;
};

describe('load shares', () => {
  it('splits closed-loop users and request indices disjointly and completely', () => {
    for (const [concurrency, requests, count] of [
      [10, 95, 4],
      [3, 20, 4],
      [50, 1000, 2],
      [7, 7, 7],
    ] as const) {
      const shares = Array.from({ length: count }, (_, index) => ({ index, count }));
      expect(shares.reduce((a, s) => a + usersOf(s, concurrency), 0)).toBe(concurrency);
      const all = shares.flatMap((s) => take(closedLoopIndices(s, concurrency, requests)));
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: requests }, (_, i) => i));
      for (const s of shares) if (usersOf(s, concurrency) === 0) expect(take(closedLoopIndices(s, concurrency, requests))).toEqual([]);
    }
  });

  it('composes segments and worker threads into one stride over the arrivals', () => {
    const owners = (i: number) =>
      [0, 1, 2].flatMap((seg) => [0, 1].map((w) => workerShare({ index: seg, count: 3 }, w, 2))).filter((s) => ownsArrival(s, i));
    for (let i = 0; i < 60; i++) expect(owners(i)).toHaveLength(1);
    // Worker k of segment i only takes arrivals of segment i.
    for (let i = 0; i < 60; i++) expect(owners(i)[0]!.index % 3).toBe(i % 3);
  });

  it('parses i/n and names the flag and the fix when it is wrong', () => {
    expect(parseSegment('2/4')).toEqual({ index: 2, count: 4 });
    expect(formatSegment({ index: 2, count: 4 })).toBe('2/4');
    expect(() => parseSegment('4/4')).toThrow('--segment: INDEX must be below COUNT (0-based, as Kubernetes\' JOB_COMPLETION_INDEX), got 4/4');
    expect(() => parseSegment('half')).toThrow('--segment: "half" is not a segment; write INDEX/COUNT');
    expect(() => parseSegment('0/0')).toThrow('COUNT must be at least 1');
  });
});

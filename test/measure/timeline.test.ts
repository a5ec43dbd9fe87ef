import { describe, expect, it } from 'vitest';
import { contentColumns, TimelineBuilder } from '../../src/model/timeline.js';
import { deriveMetrics } from '../../src/measure/metrics.js';

function streamed() {
  const b = new TimelineBuilder(3);
  b.sent(10);
  for (let i = 0; i < 40; i++) b.text(`t${i}`, 1 + (i % 2), 20 + i);
  b.samples(5, 70);
  b.sealChunk();
  return b.finish('ok', undefined, 80);
}

describe('Timeline content kept as columns', () => {
  it('reads as ContentEvent objects, in order, with kinds, units and chars', () => {
    const t = streamed();
    expect(t.content).toHaveLength(41);
    expect(t.content[0]).toEqual({ atMs: 20, kind: 'tokens', units: 1, chars: 2 });
    expect(t.content[39]).toEqual({ atMs: 59, kind: 'tokens', units: 2, chars: 3 });
    expect(t.content[40]).toEqual({ atMs: 70, kind: 'samples', units: 5, chars: 0 });
    expect(t.text).toBe(Array.from({ length: 40 }, (_, i) => `t${i}`).join(''));
  });

  it('serializes and clones with its content, and keeps changes made to it', () => {
    const t = streamed();
    expect(JSON.parse(JSON.stringify(t)).content).toHaveLength(41);
    expect(structuredClone(streamed()).content).toHaveLength(41);
    expect({ ...streamed() }.content).toHaveLength(41);
    t.content.push({ atMs: 79, kind: 'frames', units: 1, chars: 0 });
    expect(t.content).toHaveLength(42);
    expect(contentColumns(t).count).toBe(42);
    const replaced = streamed();
    replaced.content = [];
    expect(contentColumns(replaced).count).toBe(0);
  });

  it('gives the same metrics whether or not content was read as objects first', () => {
    const options = { family: { family: 'text', streamed: true }, openLoop: false } as const;
    const untouched = deriveMetrics(streamed(), options);
    const read = streamed();
    void read.content.length;
    expect(deriveMetrics(read, options)).toEqual(untouched);
    expect(untouched.itl).toHaveLength(39);
    expect(untouched.itlPerToken[0]).toBe(0.5);
  });
});

import { describe, expect, it } from 'vitest';
import { contentColumns, keepAnswerText, TimelineBuilder, ANSWER_TEXT_KEEP_CHARS } from '../../src/model/timeline.js';
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

  it('keeps text given as bytes in order with text given as strings, up to the cap', () => {
    const piece = (text: string) => {
      // Inside a bigger buffer, as a transport's read buffer holds it.
      const buf = Buffer.concat([Buffer.from('>>'), Buffer.from(text), Buffer.from('<<')]);
      return [buf, 2, buf.byteLength - 2, text.length] as const;
    };
    const a = new TimelineBuilder(0);
    a.text('role ', 1, 1);
    a.textBytes(...piece('héllo'), 1, 2);
    a.textBytes(...piece(' 🚀'), 2, 3);
    a.sealChunk();
    a.text(' "quoted"', 1, 4);
    for (let i = 0; i < 200; i++) a.textBytes(...piece(` w${i}`), 1, 5 + i);
    a.textBytes(...piece(''), 1, 300);
    const t = a.finish('ok', undefined, 301);
    expect(t.text).toBe(`role héllo 🚀 "quoted"${Array.from({ length: 200 }, (_, i) => ` w${i}`).join('')}`);
    expect(t.textChars).toBe(t.text!.length);
    expect(t.content).toHaveLength(205);
    expect(t.content[2]).toEqual({ atMs: 3, kind: 'tokens', units: 2, chars: 3 });
    expect(t.content[204]).toEqual({ atMs: 300, kind: 'tokens', units: 1, chars: 0 });
    // The next timelines reuse the stores; their text is their own.
    for (let k = 0; k < 3; k++) {
      const b = new TimelineBuilder(k);
      b.textBytes(...piece(`only ${k}`), 1, 1);
      expect(b.finish('ok').text).toBe(`only ${k}`);
    }
    try {
      keepAnswerText(10);
      const c = new TimelineBuilder(0);
      c.textBytes(...piece('abcdef'), 1, 1);
      c.textBytes(...piece('ghijkl'), 1, 2);
      c.textBytes(...piece('mnop'), 1, 3);
      const cut = c.finish('ok');
      expect(cut.text).toBe('abcdefghij');
      expect(cut.textChars).toBe(16);
    } finally {
      keepAnswerText(ANSWER_TEXT_KEEP_CHARS);
    }
  });
});

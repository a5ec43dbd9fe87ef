import { describe, expect, it } from 'vitest';
import { JsonTextLayout } from '../../src/protocols/wire/json-text-layout.js';

const content = (c: unknown) => (c as { choices?: { delta?: { content?: unknown } }[] }).choices?.[0]?.delta?.content;
const chunk = (text: string, extra: Record<string, unknown> = {}, id = 'chatcmpl-1') =>
  JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }], ...extra });

function learned(data: string, text: string): JsonTextLayout {
  const layout = new JsonTextLayout();
  expect(layout.learn(data, text, content)).toBe(true);
  return layout;
}

describe('JsonTextLayout reads repeated chunks without parsing them', () => {
  it('matches chunks that differ only in the text, and gives the text', () => {
    const layout = learned(chunk(' Hello'), ' Hello');
    expect(layout.match(chunk(' world'))).toBe(' world');
    expect(layout.match(chunk('ünï 🚀'))).toBe('ünï 🚀');
  });

  it('leaves to JSON.parse anything with an escape, an empty text or a changed layout', () => {
    const layout = learned(chunk('a'), 'a');
    expect(layout.match(chunk('say "hi"'))).toBeUndefined();
    expect(layout.match(chunk('line\nbreak'))).toBeUndefined();
    expect(layout.match(chunk('back\\slash'))).toBeUndefined();
    expect(layout.match(chunk(''))).toBeUndefined();
    expect(layout.match(chunk('a', {}, 'chatcmpl-2'))).toBeUndefined();
    expect(layout.match(chunk('a', { usage: { completion_tokens: 3 } }))).toBeUndefined();
    expect(layout.match(JSON.stringify({ id: 'chatcmpl-1', choices: [{ index: 0, delta: { content: 'a' }, logprobs: null, finish_reason: 'stop' }] }))).toBeUndefined();
    expect(layout.match('[DONE]')).toBeUndefined();
  });

  it('finds the field even when the same literal appears earlier in the chunk', () => {
    const data = JSON.stringify({ id: 'x', model: 'tok', choices: [{ index: 0, delta: { content: 'tok' } }] });
    const layout = learned(data, 'tok');
    expect(layout.match(data.replace('"content":"tok"', '"content":"other"'))).toBe('other');
    expect(layout.match(data.replace('"model":"tok"', '"model":"other"'))).toBeUndefined();
  });

  it('does not learn from a text it cannot place, nor keep trying on a stream that never matches', () => {
    const layout = new JsonTextLayout();
    expect(layout.learn(chunk('x\ty'), 'x\ty', content)).toBe(false);
    expect(layout.learn(chunk('q'), 'not there', content)).toBe(false);
    expect(layout.learn(chunk('q'), 'q', content)).toBe(true);
    // Three learns without a match in between, then it stops.
    const never = new JsonTextLayout();
    for (let i = 0; i < 3; i++) expect(never.learn(chunk('t', { usage: { completion_tokens: i } }), 't', content)).toBe(true);
    expect(never.learn(chunk('t', { usage: { completion_tokens: 9 } }), 't', content)).toBe(false);
  });

  it('agrees with JSON.parse on seeded random chunks (it either gives the parsed text or declines)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['a', ' ', 'é', '🚀', '"', '\\', '\n', '\u0001', '}', ',', ':', '{"', 'content', '\u2028'];
    const word = () => Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const layout = learned(chunk('seed'), 'seed');
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const text = word();
      const data = random() < 0.8 ? chunk(text) : chunk(text, random() < 0.5 ? { usage: null } : {}, random() < 0.5 ? 'chatcmpl-1' : word());
      const fast = layout.match(data);
      // On the bytes, inside a bigger buffer: the same verdict, and the same text at the offsets it gives.
      const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(data), Buffer.from('"}\n')]);
      const chars = layout.matchBytes(bytes, 2, bytes.byteLength - 3);
      expect(chars, data).toBe(fast === undefined ? -1 : fast.length);
      if (fast === undefined) continue;
      expect(bytes.toString('utf8', 2 + layout.prefixLength, bytes.byteLength - 3 - layout.suffixLength)).toBe(fast);
      matched++;
      expect(fast).toBe(content(JSON.parse(data)));
    }
    expect(matched).toBeGreaterThan(1000);
  });

  it('declines bytes that are not well-formed UTF-8, which a decoder would have replaced', () => {
    const layout = learned(chunk('a'), 'a');
    const [before, after] = chunk('\u0000').split('\\u0000') as [string, string];
    const withText = (text: Buffer) => Buffer.concat([Buffer.from(before), text, Buffer.from(after)]);
    const at = (b: Buffer) => layout.matchBytes(b, 0, b.byteLength);
    expect(at(withText(Buffer.from('héllo 🚀')))).toBe('héllo 🚀'.length);
    for (const bad of [[0xff], [0xc3], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x9a], [0xf4, 0x90, 0x80, 0x80], [0x80], [0x61, 0xe2, 0x82]]) {
      expect(at(withText(Buffer.from(bad))), `bytes ${bad.map((b) => b.toString(16)).join(' ')}`).toBe(-1);
    }
    expect(at(withText(Buffer.from('')))).toBe(-1);
    expect(new JsonTextLayout().matchBytes(withText(Buffer.from('a')), 0, 10)).toBe(-1);
  });
});

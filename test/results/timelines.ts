import { TimelineBuilder, type Timeline } from '../../src/model/timeline.js';

/**
 * Deterministic streamed requests for recorder tests: request i is scheduled every
 * 25 ms from `phaseStartMs`, streams a few content events, and every 13th one fails.
 */
export function makeTimelines(n: number, phaseStartMs: number, seed = 7): Timeline[] {
  let x = seed >>> 0;
  const rand = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out: Timeline[] = [];
  for (let i = 0; i < n; i++) {
    const scheduled = phaseStartMs + i * 25;
    const b = new TimelineBuilder(i, scheduled);
    const sent = scheduled + (i % 50 === 0 ? 3 : rand() * 0.5);
    b.sent(sent);
    b.headers(i % 13 === 0 ? 500 : 200, sent + 5 + rand() * 10);
    b.firstByte(b.t.headersMs);
    if (i % 13 === 0) {
      out.push(b.finish('http_error', i % 26 === 0 ? 'HTTP 500: overloaded' : 'HTTP 500: internal', sent + 20));
      continue;
    }
    let at = sent + 20 + rand() * 30;
    b.event(at);
    const events = 1 + (i % 6);
    for (let e = 0; e < events; e++) {
      at += 5 + rand() * 20;
      b.text('tok ', 1 + (e % 2), at);
    }
    if (i % 3 === 0) b.t.usageTokens = events * 2;
    out.push(b.finish('ok', undefined, at + 1));
  }
  return out;
}

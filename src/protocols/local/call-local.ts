import { nowMs } from '../../model/clock.js';
import type { TimelineBuilder } from '../../model/timeline.js';
import type { LocalMode, LocalModelModule } from './load-module.js';

/** What one in-process call did, beyond its timeline marks. */
export interface LocalCallResult {
  /** Tokens produced: callbacks (stream), items (streamAsync), array length or `tokens` (generate), results (predict). */
  tokens: number | undefined;
  /** Time spent inside the token callback (the harness's bookkeeping plus the module's `consume`). */
  callbackMs: number;
}

function tokenText(token: unknown): string {
  if (typeof token === 'string') return token;
  if (token && typeof token === 'object' && 'text' in token) return String((token as { text: unknown }).text);
  return '';
}

/**
 * Calls the module in one mode and stamps the timeline the same way for every mode: `sent`
 * right before the call, one content event per token as it is handed over, the end when the
 * call returns (or the iteration finishes).
 */
export async function callLocal(mod: LocalModelModule, mode: LocalMode, input: unknown, tl: TimelineBuilder, batch?: Buffer[]): Promise<LocalCallResult> {
  let callbackMs = 0;
  let count = 0;
  const consume = mod.consume;
  const onToken = (token: unknown) => {
    const at = nowMs();
    tl.text(tokenText(token), 1, at);
    count++;
    if (consume) consume(token);
    callbackMs += nowMs() - at;
  };
  tl.sent();
  switch (mode) {
    case 'generate': {
      const out = await mod.generate!(input);
      const at = nowMs();
      const { text, tokens } = describeAnswer(out);
      tl.text(text, tokens ?? 1, at);
      return { tokens, callbackMs };
    }
    case 'stream':
      await mod.stream!(input, onToken);
      return { tokens: count, callbackMs };
    case 'streamAsync':
      for await (const token of mod.streamAsync!(input)) onToken(token);
      return { tokens: count, callbackMs };
    case 'predict': {
      const out = await mod.predict!(batch ?? []);
      tl.frames(Array.isArray(out) ? out.length : 1, nowMs());
      return { tokens: undefined, callbackMs };
    }
  }
}

/** A whole answer's text and token count, from the shapes generate() may return. */
export function describeAnswer(out: unknown): { text: string; tokens: number | undefined } {
  if (typeof out === 'string') return { text: out, tokens: undefined };
  if (Array.isArray(out)) return { text: out.map(tokenText).join(''), tokens: out.length };
  if (out && typeof out === 'object') {
    const o = out as { text?: unknown; tokens?: unknown };
    const tokens = typeof o.tokens === 'number' ? o.tokens : Array.isArray(o.tokens) ? o.tokens.length : undefined;
    const text = typeof o.text === 'string' ? o.text : Array.isArray(o.tokens) ? o.tokens.map(tokenText).join('') : '';
    return { text, tokens };
  }
  return { text: '', tokens: undefined };
}

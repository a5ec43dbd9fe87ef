/** Marker string placed where a learned field's value was, to confirm the position (no quote, backslash or control character). */
const PROBE = 'inferbench layout probe 7f3a';
/** Learns without a match in between before a stream stops trying (a server whose chunks differ in more than the text, e.g. usage in every chunk, never matches). */
const LEARN_ATTEMPTS = 3;

/**
 * A fast path for stream events that repeat one JSON layout and differ only in one string
 * field: OpenAI/vLLM chat chunks are `{"id":…,"choices":[{"index":0,"delta":{"content":"…"},…}]}`
 * with everything but the content constant within a stream. After one event was parsed
 * normally, the text before and after that field's string literal is learned; a later event
 * made of the same prefix and suffix around a literal with no quote, backslash or control
 * character is the same JSON value with another string in that field, so its text is read
 * without `JSON.parse` (the literal's characters are its value). Anything else (an escape, a
 * finish_reason, a usage chunk, a changed id) does not match and takes the parse path.
 *
 * Hand-written for a measured reason: `JSON.parse` of every chunk was the largest single cost
 * in bench:sse's profile (one ~170-byte object per content event, ~1 µs each at 1,000 streams).
 */
export class JsonTextLayout {
  private prefix: string | undefined;
  private suffix = '';
  private attempts = LEARN_ATTEMPTS;

  /** The field's text when `data` has the learned layout; undefined otherwise (parse it). */
  match(data: string): string | undefined {
    return this.matchAt(data, 0, data.length);
  }

  /** {@link match} on `text[start, end)`, without making that string first. */
  matchAt(text: string, start: number, end: number): string | undefined {
    const prefix = this.prefix;
    if (prefix === undefined) return undefined;
    const suffix = this.suffix;
    const from = start + prefix.length;
    const to = end - suffix.length;
    // Equality of slices, not startsWith/endsWith: V8's startsWith with a search string it cannot
    // treat as a constant compared ~1 ns per character (0.8 µs for a vLLM chunk's prefix), `===` is a memcmp (~0.1 µs).
    if (to <= from || text.slice(start, from) !== prefix || text.slice(to, end) !== suffix) return undefined;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 92 || c < 32) return undefined;
    }
    this.attempts = LEARN_ATTEMPTS;
    return text.slice(from, to);
  }

  /**
   * Learns the layout from an event parsed normally whose field (`locate` of the parsed value)
   * held `text`, and whose every other part leads to the same handling as the events that
   * will match it (the caller decides that). Tries each place the literal `"text"` occurs and
   * keeps the one that parsing confirms is the field. True when it learned.
   */
  learn(data: string, text: string, locate: (parsed: unknown) => unknown): boolean {
    if (this.attempts <= 0 || text.length === 0) return false;
    this.attempts--;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 92 || c < 32) return false;
    }
    const literal = `"${text}"`;
    for (let at = data.indexOf(literal); at !== -1; at = data.indexOf(literal, at + 1)) {
      const prefix = data.slice(0, at + 1);
      const suffix = data.slice(at + 1 + text.length);
      let probed: unknown;
      try {
        probed = locate(JSON.parse(prefix + PROBE + suffix));
      } catch {
        continue;
      }
      if (probed === PROBE) {
        this.prefix = detached(prefix);
        this.suffix = detached(suffix);
        return true;
      }
    }
    return false;
  }
}

/**
 * A copy of `s` that holds no reference to the string it was sliced from: a V8 slice keeps
 * its parent alive, here the whole decoded chunk (46 KB in bench:sse), which then survived
 * young-generation GCs for as long as the stream lasted.
 */
function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

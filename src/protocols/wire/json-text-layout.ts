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
  /** The prefix and suffix as UTF-8, for {@link matchBytes}. */
  private prefixBytes: Buffer = EMPTY;
  private suffixBytes: Buffer = EMPTY;
  private prefixWords: Int32Array = NO_WORDS;
  private suffixWords: Int32Array = NO_WORDS;
  private attempts = LEARN_ATTEMPTS;

  /** Bytes of the learned prefix: a match's text starts this far into the event's data. */
  get prefixLength(): number {
    return this.prefixBytes.byteLength;
  }

  /** Bytes of the learned suffix: a match's text ends this far before the end of the event's data. */
  get suffixLength(): number {
    return this.suffixBytes.byteLength;
  }

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
   * {@link matchAt} on the UTF-8 bytes `buf[start, end)` of an event's data, without decoding
   * them: the number of UTF-16 code units of the field's text (which is
   * `buf[start + prefixLength, end - suffixLength)`, valid UTF-8 with no quote, backslash or
   * control character, so its bytes are its value), or -1 when the event does not have the
   * layout (or holds anything but well-formed UTF-8 there): then parse it.
   *
   * Measured reason (bench:timing's load, 1,000 streams, one event per read): decoding each
   * event to a string and slicing prefix, suffix and text out of it was most of the ~495 bytes
   * an event that the byte path saves (wire/sse.ts), garbage that drives young-generation GCs.
   */
  matchBytes(buf: Buffer, start: number, end: number): number {
    if (this.prefix === undefined) return -1;
    const prefix = this.prefixBytes;
    const suffix = this.suffixBytes;
    const from = start + prefix.byteLength;
    const to = end - suffix.byteLength;
    if (to <= from) return -1;
    if (!sameBytes(buf, start, prefix, this.prefixWords) || !sameBytes(buf, to, suffix, this.suffixWords)) return -1;
    const chars = utf16LengthOfLiteral(buf, from, to);
    if (chars > 0) this.attempts = LEARN_ATTEMPTS;
    return chars;
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
        // The strings are made anew from their bytes: a slice would keep the whole event's text alive.
        this.prefixBytes = Buffer.from(prefix, 'utf8');
        this.suffixBytes = Buffer.from(suffix, 'utf8');
        this.prefix = this.prefixBytes.toString('utf8');
        this.suffix = this.suffixBytes.toString('utf8');
        this.prefixWords = wordsOf(this.prefixBytes);
        this.suffixWords = wordsOf(this.suffixBytes);
        return true;
      }
    }
    return false;
  }
}

const EMPTY = Buffer.alloc(0);
const NO_WORDS: Int32Array = new Int32Array(0);

/** `bytes` as little-endian 32-bit words (the whole words only), for {@link sameBytes}. */
function wordsOf(bytes: Buffer): Int32Array {
  const words = new Int32Array(bytes.byteLength >> 2);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < words.length; k++) words[k] = v.getInt32(k * 4, true);
  return words;
}

let viewedBuffer: ArrayBufferLike | undefined;
let view: DataView | undefined;

/**
 * `buf[at, at + expected.length)` equals `expected` (whose whole words are `words`): four bytes
 * a step through a DataView of the buffer (kept for the next call: transports read into one
 * buffer). Measured reason (the OpenAI consumer in process, 256 events a chunk, as
 * bench:sse-parse runs it): a byte loop over the ~150 bytes of prefix and suffix took 330 ns an
 * event and `Buffer#compare` (argument checks, a native call each) no less; words took 267 ns
 * (the decoded-text path 200 ns, which is why big chunks keep it: wire/sse.ts).
 */
function sameBytes(buf: Buffer, at: number, expected: Buffer, words: Int32Array): boolean {
  if (buf.buffer !== viewedBuffer) {
    viewedBuffer = buf.buffer;
    view = new DataView(buf.buffer);
  }
  const v = view!;
  const base = buf.byteOffset + at;
  const n = words.length;
  for (let k = 0; k < n; k++) if (v.getInt32(base + k * 4, true) !== words[k]) return false;
  for (let i = n * 4; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/**
 * UTF-16 length of the JSON string literal body `buf[from, to)` when it needs no decoding
 * (well-formed UTF-8, no quote, backslash or control character: its characters are its
 * bytes); -1 otherwise. Overlong forms, surrogates and code points past U+10FFFF are refused,
 * as a decoder would turn them into U+FFFD.
 */
function utf16LengthOfLiteral(buf: Buffer, from: number, to: number): number {
  let chars = 0;
  let i = from;
  while (i < to) {
    const b = buf[i]!;
    if (b < 0x80) {
      if (b === 34 || b === 92 || b < 32) return -1;
      chars++;
      i++;
      continue;
    }
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) more = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      more = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      more = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return -1;
    if (i + more >= to) return -1;
    const second = buf[i + 1]!;
    if (second < lo || second > hi) return -1;
    for (let k = 2; k <= more; k++) {
      const c = buf[i + k]!;
      if (c < 0x80 || c > 0xbf) return -1;
    }
    chars += more === 3 ? 2 : 1;
    i += more + 1;
  }
  return chars;
}


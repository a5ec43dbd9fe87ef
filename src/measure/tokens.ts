/**
 * Client-side token counting with gpt-tokenizer, used when a server reports no usage and to
 * report both counts beside the server's. Bounded work per answer:
 * - at most TOKENIZER_CAP_CHARS characters of an answer are counted; a longer answer's count is
 *   extrapolated from them by its length, marked estimated, and the results state the cap;
 * - the text is counted in pieces of at most PIECE_CHARS cut at whitespace: BPE on one long
 *   run without whitespace grows faster than its length (measured with o200k_base: 16 Ki
 *   letters 90–105 ms, 64 Ki 1.4–2.3 s, and a 1 MB answer ran for more than 300 s), in pieces
 *   it is linear (a few ms per 2 Ki characters);
 * - answers longer than INLINE_MAX_CHARS are counted on a tokenizer thread, off the event loop
 *   that timestamps every other request (and answers Ctrl+C).
 * The encoding tables are large, so they load only when a run asks for a tokenizer.
 */
import { Worker } from 'node:worker_threads';
import { ANSWER_TEXT_KEEP_CHARS } from '../model/timeline.js';

export type TokenizerEncoding = 'o200k_base' | 'cl100k_base';

/** Characters of one answer the tokenizer reads; the answer text a timeline keeps is the same. */
export const TOKENIZER_CAP_CHARS = ANSWER_TEXT_KEEP_CHARS;
/** The longest piece encoded at once. */
const PIECE_CHARS = 2048;
/** Answers up to this long are counted in place (well under a millisecond for ordinary text). */
const INLINE_MAX_CHARS = 1024;

/** One answer's token count. */
export interface TokenizerCount {
  tokens: number;
  /** The answer was longer than TOKENIZER_CAP_CHARS: `tokens` is extrapolated from its counted start. */
  estimated: boolean;
}

/** A synchronous count of a text (no cap): `encode(text).length`, in pieces. */
export type EncodeCount = (text: string) => number;

export interface TokenCounter {
  /** Counts an answer: `text` is what the timeline kept, `totalChars` the answer's whole length. */
  count(text: string, totalChars?: number): TokenizerCount | Promise<TokenizerCount>;
  /** Ends the tokenizer thread, if one was started. */
  close(): Promise<void>;
}

/**
 * Cuts `text` into pieces of at most `pieceChars`, each cut just before a whitespace character
 * where the piece has one: the pre-tokenizer starts a word with its leading space, so ordinary
 * text counts the same in pieces as whole (test/measure/tokens.test.ts); a run without whitespace
 * is cut where it must be.
 */
export function tokenizerPieces(text: string, pieceChars = PIECE_CHARS): string[] {
  if (text.length <= pieceChars) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + pieceChars);
    if (end < text.length) {
      let cut = end;
      while (cut > start + 1 && !isSpace(text.charCodeAt(cut))) cut--;
      // Inside a whitespace run, cut before its last character (that one leads the next word).
      if (cut > start + 1) end = cut;
    }
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 12 || code === 11 || code === 0xa0;
}

function piecewise(encode: (text: string) => number[]): EncodeCount {
  return (text) => {
    if (!text) return 0;
    let n = 0;
    for (const piece of tokenizerPieces(text)) n += encode(piece).length;
    return n;
  };
}

const encoders = new Map<TokenizerEncoding, Promise<EncodeCount>>();

/** Loads (once per encoding) a synchronous, uncapped counter; for short texts and the tokenizer thread. */
export function loadEncodeCount(encoding: TokenizerEncoding = 'o200k_base'): Promise<EncodeCount> {
  let counter = encoders.get(encoding);
  if (!counter) {
    counter = importEncoding(encoding).then(({ encode }) => piecewise(encode));
    encoders.set(encoding, counter);
  }
  return counter;
}

function importEncoding(encoding: TokenizerEncoding): Promise<{ encode: (text: string) => number[] }> {
  switch (encoding) {
    case 'o200k_base':
      return import('gpt-tokenizer/encoding/o200k_base');
    case 'cl100k_base':
      return import('gpt-tokenizer/encoding/cl100k_base');
  }
}

/** The capped count of an answer from a count of its kept start. */
export function cappedCount(countStart: (text: string) => number, text: string, totalChars = text.length): TokenizerCount {
  const counted = text.length > TOKENIZER_CAP_CHARS ? text.slice(0, TOKENIZER_CAP_CHARS) : text;
  const tokens = countStart(counted);
  if (totalChars <= counted.length || counted.length === 0) return { tokens, estimated: false };
  return { tokens: Math.round((tokens * totalChars) / counted.length), estimated: true };
}

/** A token counter for a run: short answers in place, long ones on a tokenizer thread started on first need. */
export async function loadTokenCounter(encoding: TokenizerEncoding = 'o200k_base'): Promise<TokenCounter> {
  const inline = await loadEncodeCount(encoding);
  let thread: TokenizerThread | undefined;
  return {
    count(text, totalChars) {
      const counted = text.length > TOKENIZER_CAP_CHARS ? text.slice(0, TOKENIZER_CAP_CHARS) : text;
      if (counted.length <= INLINE_MAX_CHARS) return cappedCount(inline, counted, totalChars ?? text.length);
      thread ??= new TokenizerThread(encoding);
      return thread.count(counted).then((tokens) => cappedCount(() => tokens, counted, totalChars ?? text.length));
    },
    async close() {
      await thread?.close();
    },
  };
}

/** gpt-tokenizer on its own thread: one request at a time per message, answered in order. */
class TokenizerThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (tokens: number) => void>();
  private nextId = 0;

  constructor(encoding: TokenizerEncoding) {
    // Built output runs the thread's module directly; the sources (tsx, vitest) go through tsx's loader.
    const fromSources = import.meta.url.endsWith('.ts');
    this.worker = fromSources
      ? new Worker(new URL('../run/worker-bootstrap.mjs', import.meta.url), { workerData: { entry: new URL('./tokenizer-thread.ts', import.meta.url).href, encoding } })
      : new Worker(new URL('./tokenizer-thread.js', import.meta.url), { workerData: { encoding } });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; tokens: number }) => {
      this.waiting.get(m.id)?.(m.tokens);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
    });
    // A thread that fails leaves its answers uncounted (the usage or event count is used), never a hung request.
    this.worker.on('error', () => this.release());
    this.worker.on('exit', () => this.release());
  }

  count(text: string): Promise<number> {
    const id = this.nextId++;
    // Keep the process alive while a count is pending (the thread alone does not).
    this.worker.ref();
    return new Promise<number>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, text });
    });
  }

  private release(): void {
    for (const resolve of this.waiting.values()) resolve(NaN);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.release();
    await this.worker.terminate();
  }
}

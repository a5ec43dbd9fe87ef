import type { Tokenizer } from '../measure/tokens.js';
import { seededRng } from '../random.js';
import { CORPUS_SENTENCES } from './corpus.js';

/** Attempts at trimming a cut to the exact count before trying another place in the corpus. */
const TRIM_ATTEMPTS = 12;
const PLACES = 6;

/**
 * Prompts of an exact number of tokens under one tokenizer, cut from the built-in corpus
 * (vLLM's random dataset decodes random token ids instead, which reads as noise and
 * tokenizes differently on the server). The corpus sentences, in a seeded order, are
 * encoded once into one long token stream; a prompt is a cut of it from a seeded sentence
 * start, decoded, then re-encoded and trimmed until it encodes to exactly the count asked
 * (decoding and re-encoding can merge tokens across the cut).
 */
export class SyntheticText {
  private readonly stream: number[] = [];
  /** Token offsets in `stream` where a sentence starts. */
  private readonly starts: number[] = [];

  /**
   * `longest`: the most tokens one cut will need. The stream is built to a fixed length up
   * front, so every thread that builds it from the same seed cuts the same prompts.
   */
  constructor(
    private readonly tokenizer: Tokenizer,
    seed: number,
    longest: number,
  ) {
    const order = seededRng(seed);
    const length = Math.max(4096, 2 * longest + 1024);
    while (this.stream.length < length) {
      const sentences = CORPUS_SENTENCES.map((_, i) => i);
      for (let i = sentences.length - 1; i > 0; i--) {
        const j = Math.floor(order() * (i + 1));
        [sentences[i], sentences[j]] = [sentences[j]!, sentences[i]!];
      }
      for (const i of sentences) {
        this.starts.push(this.stream.length);
        for (const id of tokenizer.encode(` ${CORPUS_SENTENCES[i]}`)) this.stream.push(id);
      }
    }
  }

  /**
   * A text of exactly `tokens` tokens (`prefix` + the cut, when a prefix is given: the count
   * includes it). Throws when no cut reaches the count exactly, which would mean a tokenizer
   * whose decode does not round-trip.
   */
  text(tokens: number, random: () => number, prefix = ''): string {
    const target = tokens;
    const own = prefix ? target - this.tokenizer.count(prefix) : target;
    if (own <= 0) {
      if (own === 0) return prefix;
      throw new Error(`a prompt of ${target} tokens cannot hold its ${target - own}-token prefix`);
    }
    // Sentence starts that leave room for the cut (and its trimming) before the stream ends.
    const room = this.starts.filter((s) => s + own + 64 <= this.stream.length);
    if (room.length === 0) throw new Error(`a prompt of ${target} tokens is longer than the corpus stream of ${this.stream.length} tokens`);
    let best: { text: string; miss: number } | undefined;
    for (let place = 0; place < PLACES; place++) {
      const start = room[Math.floor(random() * room.length)]!;
      let take = own;
      for (let attempt = 0; attempt < TRIM_ATTEMPTS && take > 0; attempt++) {
        const cut = this.tokenizer.decode(this.stream.slice(start, start + take)).trimStart();
        const text = prefix ? `${prefix} ${cut}` : cut;
        const count = this.tokenizer.count(text);
        if (count === target) return text;
        const miss = Math.abs(count - target);
        if (!best || miss < best.miss) best = { text, miss };
        take += target - count;
      }
    }
    throw new Error(`could not cut a text of exactly ${target} tokens under ${this.tokenizer.name} (closest was ${best?.miss ?? '?'} tokens off)`);
  }
}

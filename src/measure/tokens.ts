/**
 * Client-side tokenizers: gpt-tokenizer's OpenAI encodings, or a model's own `tokenizer.json`
 * (Hugging Face format) through @huggingface/tokenizers, a pure-JS implementation. They count
 * tokens when a server reports no usage (and beside its usage when it does) and build the
 * synthetic prompts of `--input-tokens`. Tables are large, so each loads only when a run asks
 * for it, once per process.
 *
 * @huggingface/tokenizers was chosen over @lenml/tokenizers by measurement (BENCHMARKS.md,
 * "Hugging Face tokenizer.json in JavaScript"): both gave token ids identical to the Rust
 * `tokenizers` on 400 mixed texts under three tokenizers; it is a third of the size, has no
 * dependencies and is maintained by Hugging Face.
 *
 * A run's counting is bounded work per answer:
 * - at most TOKENIZER_CAP_CHARS characters of an answer (or prompt) are counted; a longer one's
 *   count is extrapolated from them by its length, marked estimated, and the results state the cap;
 * - the text is counted in pieces of at most PIECE_CHARS cut at whitespace: BPE on one long
 *   run without whitespace grows faster than its length (measured with o200k_base: 16 Ki
 *   letters 90–105 ms, 64 Ki 1.4–2.3 s, and a 1 MB answer ran for more than 300 s), in pieces
 *   it is linear (a few ms per 2 Ki characters);
 * - answers are counted in a tokenizer process, off the event loop that timestamps every other
 *   request (and answers Ctrl+C).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../model/config-error.js';
import { ANSWER_TEXT_KEEP_CHARS } from '../model/timeline.js';

export const TOKENIZER_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type TokenizerEncoding = (typeof TOKENIZER_ENCODINGS)[number];

/** A synchronous count of a text (no cap): the number of tokens `encode(text)` yields (no special tokens added). */
export type EncodeCount = (text: string) => number;

/** A tokenizer that can also build text: what the workload generators need. */
export interface Tokenizer {
  /** `o200k_base`, `cl100k_base`, or the tokenizer.json path. */
  name: string;
  /** Token ids of the text as it is, without special tokens (BOS, chat templates). */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  count: EncodeCount;
}

/** What a scenario names: `auto` (o200k_base), an encoding, or a path to a tokenizer.json (or its folder). */
export type TokenizerSpec = 'auto' | TokenizerEncoding | (string & {});

const loaded = new Map<string, Promise<Tokenizer>>();

/** Loads (once per spec) a tokenizer. A missing or malformed tokenizer.json is a ConfigError naming `field`. */
export function loadTokenizer(spec: TokenizerSpec = 'auto', field = 'tokenizer'): Promise<Tokenizer> {
  const key = spec === 'auto' ? 'o200k_base' : spec;
  let tokenizer = loaded.get(key);
  if (!tokenizer) {
    tokenizer = (TOKENIZER_ENCODINGS as readonly string[]).includes(key) ? loadEncoding(key as TokenizerEncoding) : loadTokenizerJson(key, field);
    loaded.set(key, tokenizer);
    tokenizer.catch(() => loaded.delete(key));
  }
  return tokenizer;
}

/** Whether a spec names a built-in encoding (no file to read). */
export function isTokenizerEncoding(spec: TokenizerSpec): boolean {
  return spec === 'auto' || (TOKENIZER_ENCODINGS as readonly string[]).includes(spec);
}

/** Characters of one answer the tokenizer reads; the answer text a timeline keeps is the same. */
export const TOKENIZER_CAP_CHARS = ANSWER_TEXT_KEEP_CHARS;
/** The longest piece encoded at once. */
const PIECE_CHARS = 2048;

/** One answer's (or prompt's) token count. */
export interface TokenizerCount {
  tokens: number;
  /** The answer was longer than TOKENIZER_CAP_CHARS: `tokens` is extrapolated from its counted start. */
  estimated: boolean;
}

/** A request's counts from the tokenizer process: its answer and the prompt as sent. */
export interface TokenizerCounts {
  output?: TokenizerCount;
  input?: TokenizerCount;
}

export interface TokenCounter {
  /**
   * Counts an answer: `text` is what the timeline kept, `totalChars` the answer's whole length.
   * When `signal` aborts (Ctrl+C) a count still pending on the thread ends at once, uncounted (NaN).
   */
  count(text: string, totalChars?: number, signal?: AbortSignal): TokenizerCount | Promise<TokenizerCount>;
  /**
   * Resolves once the encoding tables are loaded (or the tokenizer failed), or when `signal`
   * aborts: a run waits for it before its first request, so the load's CPU does not compete with
   * the first measurements.
   */
  ready(signal?: AbortSignal): Promise<void>;
  /** Ends this run's use of the tokenizer process (kept for the next run when idle, killed when busy). */
  close(): Promise<void>;
  /** The tokenizer process's id: one process per encoding serves this process's runs. */
  readonly pid: number | undefined;
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

const encoders = new Map<string, Promise<EncodeCount>>();

/** Loads (once per spec) a synchronous, uncapped counter in pieces (the tokenizer process's, and tests'). */
export function loadEncodeCount(spec: TokenizerSpec = 'o200k_base'): Promise<EncodeCount> {
  const key = spec === 'auto' ? 'o200k_base' : spec;
  let counter = encoders.get(key);
  if (!counter) {
    counter = loadTokenizer(key).then(({ encode }) => piecewise(encode));
    encoders.set(key, counter);
    counter.catch(() => encoders.delete(key));
  }
  return counter;
}

async function loadEncoding(encoding: TokenizerEncoding): Promise<Tokenizer> {
  const { encode, decode } = await importEncoding(encoding);
  return { name: encoding, encode: (text) => encode(text), decode: (ids) => decode(ids as number[]), count: (text) => (text ? encode(text).length : 0) };
}

function importEncoding(encoding: TokenizerEncoding): Promise<{ encode: (text: string) => number[]; decode: (ids: number[]) => string }> {
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

/**
 * A token counter for a run: answers are counted in a tokenizer process of their own, started
 * now so its encoding tables load while the run begins. Not on this thread: importing o200k_base
 * blocks an event loop for 1–2 s (measured on the shared 2-core machine under load) and adds
 * ~60 MB; and not on a worker thread: a process cannot exit until a worker that is still loading
 * finishes, which held Ctrl+C up by up to a second. A process is killed at once.
 *
 * One process per encoding serves every run of this process, one after another or at once: a
 * capacity search, a profile's stages or a library caller's loop of runs loads the tables once
 * (0.45–0.55 s of CPU each time otherwise, measured for o200k_base). Between runs it holds
 * nothing open: unreferenced, it does not keep this process alive, and it exits when this process does.
 */
export function loadTokenCounter(spec: TokenizerSpec = 'o200k_base'): TokenCounter {
  const encoding = spec === 'auto' ? 'o200k_base' : spec;
  let proc = tokenizerProcesses.get(encoding);
  if (!proc || proc.closed) tokenizerProcesses.set(encoding, (proc = new TokenizerProcess(encoding)));
  const shared = proc;
  shared.users++;
  let closed = false;
  return {
    count(text, totalChars, signal) {
      const counted = text.length > TOKENIZER_CAP_CHARS ? text.slice(0, TOKENIZER_CAP_CHARS) : text;
      if (counted.length === 0) return { tokens: 0, estimated: false };
      if (closed) return { tokens: NaN, estimated: false };
      const tokens = shared.count(counted);
      const stopped = signal && new Promise<number>((resolve) => (signal.aborted ? resolve(NaN) : signal.addEventListener('abort', () => resolve(NaN), { once: true })));
      return (stopped ? Promise.race([tokens, stopped]) : tokens).then((n) => cappedCount(() => n, counted, totalChars ?? text.length));
    },
    ready(signal) {
      if (!signal) return shared.ready;
      return Promise.race([shared.ready, new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))]);
    },
    get pid() {
      return shared.pid;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Still loading, or counting answers nobody waits for (a run stopped by Ctrl+C): killed, so nothing holds this process up.
      if (--shared.users === 0 && shared.busy) shared.close();
    },
  };
}

/** The tokenizer process of each encoding, shared by this process's runs (loadTokenCounter). */
const tokenizerProcesses = new Map<string, TokenizerProcess>();

/** gpt-tokenizer in a child process: the answers of one event-loop turn go in one message. */
class TokenizerProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, ((tokens: number) => void)[]>();
  private queued: { text: string; resolve: (tokens: number) => void }[] = [];
  private nextId = 0;
  /** Ended: killed, or its process exited or failed; the next run starts a new one. */
  closed = false;
  /** Runs holding it now (loadTokenCounter). */
  users = 0;
  private loaded = false;
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(spec: TokenizerSpec) {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    // Built output runs the module directly; the sources (tsx, vitest) go through tsx's loader.
    const fromSources = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSources ? './tokenizer-process.ts' : './tokenizer-process.js', import.meta.url));
    const execArgv = fromSources ? ['--import', pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs')).href] : process.execArgv;
    // Referenced (keeping this process alive) until its tables are loaded, and while a count is pending.
    this.child = fork(entry, [spec], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv, serialization: 'advanced' });
    this.child.on('message', (m: { id: number; tokens: number[]; ready?: true }) => {
      if (m.ready) {
        this.loaded = true;
        this.markReady();
        if (this.waiting.size === 0 && this.queued.length === 0) this.idle();
        return;
      }
      const resolvers = this.waiting.get(m.id) ?? [];
      this.waiting.delete(m.id);
      resolvers.forEach((resolve, i) => resolve(m.tokens[i] ?? NaN));
      if (this.waiting.size === 0 && this.queued.length === 0) this.idle();
    });
    // A tokenizer that fails leaves its answers uncounted (the usage or event count is used), never a hung request.
    this.child.on('error', () => ((this.closed = true), this.release()));
    this.child.on('exit', () => ((this.closed = true), this.release()));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Loading its tables, or counting: referenced, so this process cannot end meanwhile. */
  get busy(): boolean {
    return !this.loaded || this.waiting.size > 0 || this.queued.length > 0;
  }

  count(text: string): Promise<number> {
    if (this.closed) return Promise.resolve(NaN);
    // Keep this process alive while a count is pending (the child alone does not).
    this.child.ref();
    this.child.channel?.ref();
    return new Promise<number>((resolve) => {
      if (this.queued.length === 0) setImmediate(() => this.flush());
      this.queued.push({ text, resolve });
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0 || this.closed) return batch.forEach((b) => b.resolve(NaN));
    const id = this.nextId++;
    this.waiting.set(id, batch.map((b) => b.resolve));
    this.child.send({ id, texts: batch.map((b) => b.text) }, (err) => err && this.release());
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
  }

  private release(): void {
    this.markReady();
    for (const resolvers of this.waiting.values()) resolvers.forEach((resolve) => resolve(NaN));
    this.waiting.clear();
    for (const q of this.queued.splice(0)) q.resolve(NaN);
  }

  close(): void {
    this.closed = true;
    this.release();
    this.child.kill('SIGKILL');
  }
}

/** A Hugging Face `tokenizer.json` (with `tokenizer_config.json` beside it when there is one). */
async function loadTokenizerJson(path: string, field: string): Promise<Tokenizer> {
  const problem = (message: string) => new ConfigError([{ path: field, message }]);
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'tokenizer.json');
  } catch (err) {
    throw problem(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give ${TOKENIZER_ENCODINGS.join(', ')}, or the path of a model's tokenizer.json (or its folder)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw problem(`cannot read ${file} as a tokenizer.json: ${(err as Error).message}`);
  }
  if (!json || typeof json !== 'object' || !('model' in json)) throw problem(`${file} is not a Hugging Face tokenizer.json (it has no "model")`);
  let config: unknown = {};
  try {
    config = JSON.parse(await readFile(join(dirname(file), 'tokenizer_config.json'), 'utf8'));
  } catch {
    // Optional: tokenizer.json alone describes the tokenization.
  }
  const { Tokenizer: HfTokenizer } = await import('@huggingface/tokenizers');
  let hf: InstanceType<typeof HfTokenizer>;
  try {
    hf = new HfTokenizer(json, config as object);
  } catch (err) {
    throw problem(`${file}: @huggingface/tokenizers cannot build a tokenizer from it: ${(err as Error).message}`);
  }
  const encode = (text: string) => hf.encode(text, { add_special_tokens: false }).ids;
  return {
    name: file,
    encode,
    decode: (ids) => hf.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    count: (text) => (text ? encode(text).length : 0),
  };
}

import { nowMs } from './clock.js';
import { CONTENT_KINDS, type ContentKind } from './metrics.js';

/** How a request ended. Every failure is recorded and counted; none stops a run by itself. */
export const OUTCOME_KINDS = ['ok', 'http_error', 'protocol_error', 'timeout', 'connection_error', 'aborted'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/**
 * Characters of each answer's text a timeline keeps: enough for previews and the capped
 * tokenizer (measure/tokens.ts), while a 100 MB answer costs 64 Ki characters, not 100 MB per
 * request in flight. `--debug text` asks for whole answers (keepAnswerText(Infinity)).
 */
export const ANSWER_TEXT_KEEP_CHARS = 65_536;
let keepTextChars = ANSWER_TEXT_KEEP_CHARS;

/**
 * How much of each answer's text timelines built from now on keep (Infinity: all of it).
 * Process-wide, set by the runner for its run (and by each worker thread for its own).
 */
export function keepAnswerText(chars: number): void {
  keepTextChars = chars;
}

export function answerTextKeepChars(): number {
  return keepTextChars;
}

/**
 * One stream event that carried content. Its kind says what `units` counts, and each metric
 * family reads only its own kind: text metrics never see audio samples or frames.
 */
export interface ContentEvent {
  /** Monotonic arrival time. */
  atMs: number;
  kind: ContentKind;
  /** tokens: tokens this event carries (1 when the protocol cannot tell); samples: sample frames; frames: frames answered; bytes; messages. */
  units: number;
  /** Characters of text this event added (tokens only; 0 otherwise). */
  chars: number;
}

/**
 * Everything observed about one request, as monotonic marks in milliseconds.
 * Protocols fill it through {@link TimelineBuilder}; measure/metrics.ts derives every metric from it.
 */
export interface Timeline {
  /** Call index within its phase (0-based). */
  index: number;
  /** Intended start (open loop only). */
  scheduledMs?: number;
  /** When the request reached the wire (its first byte was handed to the socket). */
  sentMs: number;
  /**
   * Time spent opening the connection this request waited for (TCP, TLS, WebSocket handshake),
   * when it needed a new one; it happened just before `sentMs`, and closed-loop latency includes it.
   */
  connectMs?: number;
  headersMs?: number;
  firstByteMs?: number;
  /** First complete stream event with any payload (heartbeats and keep-alives excluded). */
  firstEventMs?: number;
  /** Gradio: when the POST returned its event id. */
  submittedMs?: number;
  content: ContentEvent[];
  endMs: number;
  /** HTTP status (number) or gRPC code name (string). */
  status?: number | string;
  outcome: OutcomeKind;
  error?: string;
  bytesIn: number;
  bytesOut: number;
  /** The generated text, when the protocol produces text: its first ANSWER_TEXT_KEEP_CHARS characters unless the run keeps whole answers. */
  text?: string;
  /** The answer's whole length in characters (more than `text.length` when the text was cut). */
  textChars?: number;
  /** Output tokens as the server reported them (usage field), when it did. */
  usageTokens?: number;
  /** Input (prompt) tokens as the server reported them (usage `prompt_tokens`, TGI `input_length`, Ollama `prompt_eval_count`). */
  usageInputTokens?: number;
  /** The prompt text as sent (chat: the messages' text, joined), for the client tokenizer's input count. */
  prompt?: string;
  /** Multi-turn sessions: this request's turn in its conversation (1-based). */
  turn?: number;
  /** Audio: the sample rate of the samples in `content` (from the WAV header or the declared PCM layout). */
  sampleRateHz?: number;
  /** Protocol-specific numeric metrics, recorded as histograms under these names (ms unless the name says otherwise). */
  extra: Record<string, number>;
  /** A short preview of the response body, kept for failures. */
  bodyPreview?: string;
  /** Stream events received (every SSE data event, or queue message, for this request), heartbeats counted apart. */
  streamEvents?: number;
  heartbeats?: number;
  /** The whole response body, kept only when the run captures values from it (step `capture`). */
  responseText?: string;
  /** The call's named values (step `values`, build-module values, captures), for records and later steps. */
  values?: Record<string, unknown>;
  /** The reference server's request id (x-inferbench-request-id), for ground-truth checks. */
  serverRequestId?: string;
}

/** Numbers per content event in a column store: atMs, units, chars, kind (its index in CONTENT_KINDS). */
export const CONTENT_STRIDE = 4;
const NO_EVENTS = new Float64Array(0);
const COLUMNS = Symbol('inferbench.contentColumns');
const MIN_EVENTS = 8;
const MAX_TYPICAL_EVENTS = 4096;
/** Events the last finished timeline held (a power of two): the first allocation of the next one. */
let typicalEvents = MIN_EVENTS;
/**
 * Byte stores of finished timelines, for the next ones (see {@link TimelineBuilder.textBytes}):
 * long-lived, so a new request's store is not a new object every young-generation GC copies.
 */
const spareTextStores: Uint8Array[] = [];
const MAX_SPARE_TEXT_STORES = 1024;
/** Bigger stores (long answers) are left to the GC, so the spares hold at most 16 MiB. */
const MAX_SPARE_STORE_BYTES = 16_384;
const MIN_TEXT_STORE = 256;

/** A timeline's content events as numbers (see {@link contentColumns}). */
export interface ContentColumns {
  readonly count: number;
  /** `count` × {@link CONTENT_STRIDE} numbers: atMs, units, chars, kind code. */
  readonly events: Float64Array;
}

/** The index of a content kind in CONTENT_KINDS, as the column store keeps it. */
export function kindCode(kind: ContentKind): number {
  return CONTENT_KINDS.indexOf(kind);
}

/**
 * The content events of a timeline as columns: the builder's own store when `content` was
 * never read as objects (metrics read it without allocating an object per event), else
 * built from `content` (timelines made by hand, or read and changed since).
 */
export function contentColumns(t: Timeline): ContentColumns {
  const own = (t as unknown as Record<symbol, ContentColumns | undefined>)[COLUMNS];
  if (own) return own;
  const content = t.content;
  const events = new Float64Array(content.length * CONTENT_STRIDE);
  for (let k = 0, i = 0; k < content.length; k++, i += CONTENT_STRIDE) {
    const e = content[k]!;
    events[i] = e.atMs;
    events[i + 1] = e.units;
    events[i + 2] = e.chars;
    events[i + 3] = kindCode(e.kind);
  }
  return { count: content.length, events };
}

function eventsOf(columns: ContentColumns): ContentEvent[] {
  const out: ContentEvent[] = new Array(columns.count);
  const e = columns.events;
  for (let k = 0, i = 0; k < columns.count; k++, i += CONTENT_STRIDE) out[k] = { atMs: e[i]!, kind: CONTENT_KINDS[e[i + 3]!]!, units: e[i + 1]!, chars: e[i + 2]! };
  return out;
}

/**
 * `content` of a finished timeline: objects made on first read, after which it is a plain
 * property again, so changes to it are what every later reader sees. One getter and setter
 * for all timelines, so defining them reuses one hidden-class transition.
 */
const LAZY_CONTENT: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Timeline): ContentEvent[] {
    const value = eventsOf(contentColumns(this));
    setContent(this, value);
    return value;
  },
  set(this: Timeline, value: ContentEvent[]) {
    setContent(this, value);
  },
};

function setContent(t: Timeline, value: ContentEvent[]): void {
  (t as unknown as Record<symbol, ContentColumns | undefined>)[COLUMNS] = undefined;
  Object.defineProperty(t, 'content', { value, writable: true, enumerable: true, configurable: true });
}

function attachColumns(t: Timeline, columns: ContentColumns): void {
  Object.defineProperty(t, COLUMNS, { value: columns, writable: true, configurable: true });
  Object.defineProperty(t, 'content', LAZY_CONTENT);
}

/**
 * Mutable builder a protocol uses while it follows one request. Marks default to "now".
 *
 * Content events are kept in one growing Float64Array, which metrics read as it is
 * ({@link contentColumns}); `Timeline.content` objects are made only if someone reads them.
 * The text of each body chunk is joined
 * into one string when the transport seals the chunk. Measured reason: at 1,000 concurrent
 * streams every live event object and text piece was copied by each young-generation GC
 * (53% of the client's CPU in bench:sse's profile); numbers in a typed array are not traced.
 */
export class TimelineBuilder {
  readonly t: Timeline;
  private textParts: string[] = [];
  /** Texts added since the last {@link sealChunk}. */
  private chunkParts: string[] = [];
  private events: Float64Array = NO_EVENTS;
  private count = 0;
  private attached = false;
  private keptChars = 0;
  private totalChars = 0;
  private readonly keepChars = keepTextChars;
  /** UTF-8 bytes of the text added by {@link textBytes} since the last string piece, decoded once when a string comes or the timeline ends. */
  private store: Uint8Array | undefined;
  private storeLength = 0;

  constructor(index: number, scheduledMs?: number) {
    this.t = { index, scheduledMs, sentMs: NaN, content: [], endMs: NaN, outcome: 'ok', bytesIn: 0, bytesOut: 0, extra: {} };
  }

  sent(at = nowMs()): void {
    this.t.sentMs = at;
  }
  headers(status: number | string, at = nowMs()): void {
    this.t.headersMs ??= at;
    this.t.status = status;
  }
  firstByte(at = nowMs()): void {
    this.t.firstByteMs ??= at;
  }
  /** Any complete stream event with a payload (not a heartbeat). */
  event(at = nowMs()): void {
    this.t.firstEventMs ??= at;
  }
  /** Text that arrived (`tokens` as far as the protocol can tell). Empty text is not content: call `event()` only. */
  text(text: string, tokens = 1, at = nowMs()): void {
    this.push(0, tokens, text.length, at);
    if (text) this.keepText(text);
  }
  /**
   * Text that arrived as the well-formed UTF-8 bytes `src[from, to)`, which are `chars` UTF-16
   * code units long (`tokens` as far as the protocol can tell; `src` is valid only during the
   * call). The bytes are copied into one store per timeline (stores are reused) and decoded
   * once, so an event allocates nothing on the JS heap. Measured reason (`npm run
   * bench:timing-alloc` on the code before: 1,000 streams, one event per read): growing the
   * arrays that collected a string per event was 18% of the client's allocation (27.0 of 150.8
   * MB over 5,000 requests), and those strings lived as long as their request.
   */
  textBytes(src: Uint8Array, from: number, to: number, chars: number, tokens = 1, at = nowMs()): void {
    this.push(0, tokens, chars, at);
    if (chars === 0) return;
    if (this.keptChars + chars > this.keepChars) {
      // At the cap: cut as text (once per answer at most).
      this.keepText(Buffer.from(src.buffer, src.byteOffset + from, to - from).toString('utf8'));
      return;
    }
    if (this.chunkParts.length) this.sealChunk();
    const n = to - from;
    let store = this.store;
    const length = this.storeLength;
    if (store === undefined) {
      store = spareTextStores.pop();
      if (store === undefined || store.byteLength < n) store = new Uint8Array(Math.max(MIN_TEXT_STORE, 2 ** Math.ceil(Math.log2(n))));
      this.store = store;
    } else if (length + n > store.byteLength) {
      const bigger = new Uint8Array(2 ** Math.ceil(Math.log2(length + n)));
      bigger.set(store.subarray(0, length));
      this.store = store = bigger;
    }
    for (let i = 0; i < n; i++) store[length + i] = src[from + i]!;
    this.storeLength = length + n;
    this.totalChars += chars;
    this.keptChars += chars;
  }
  /** The bytes stored so far become one text piece; the store is kept for more. */
  private flushBytes(): void {
    if (this.storeLength === 0) return;
    const store = this.store!;
    this.textParts.push(Buffer.from(store.buffer, store.byteOffset, this.storeLength).toString('utf8'));
    this.storeLength = 0;
  }
  /** Keeps text up to the cap (`keepChars`), counting all of it. */
  private keepText(text: string): void {
    // A wrong-shaped answer (a number or a list where text belongs) is the request's protocol_error, not a crash later.
    if (typeof text !== 'string') throw new TypeError(`expected text, got ${Array.isArray(text) ? 'a list' : typeof text}`);
    if (this.storeLength) this.flushBytes();
    this.totalChars += text.length;
    if (this.keptChars >= this.keepChars) return;
    const piece = text.length <= this.keepChars - this.keptChars ? text : text.slice(0, this.keepChars - this.keptChars);
    this.chunkParts.push(piece);
    this.keptChars += piece.length;
  }
  /** Audio sample frames that arrived (whole samples only), at the timeline's `sampleRateHz`. */
  samples(count: number, at = nowMs()): void {
    this.push(1, count, 0, at);
  }
  /** Image frames whose answers arrived. */
  frames(count: number, at = nowMs()): void {
    this.push(2, count, 0, at);
  }
  /** An opaque message (a stream message whose payload inferbench does not read). */
  message(at = nowMs()): void {
    this.push(4, 1, 0, at);
  }
  private push(kind: number, units: number, chars: number, at: number): void {
    this.t.firstEventMs ??= at;
    let e = this.events;
    const i = this.count * CONTENT_STRIDE;
    if (i === e.length) {
      // Sized from the last request's events, so a run of similar answers allocates once per request.
      const grown = new Float64Array(Math.max(e.length * 2, typicalEvents * CONTENT_STRIDE));
      grown.set(e);
      this.events = e = grown;
    }
    e[i] = at;
    e[i + 1] = units;
    e[i + 2] = chars;
    e[i + 3] = kind;
    this.count++;
  }
  /** Content events so far, as objects (a protocol that looks at its own events mid-stream). */
  get content(): ContentEvent[] {
    return eventsOf({ count: this.count, events: this.events });
  }
  /** The transport read one body chunk to its end: its texts become one string (the pieces die young). */
  sealChunk(): void {
    const parts = this.chunkParts;
    if (parts.length === 0) return;
    this.textParts.push(parts.length === 1 ? parts[0]! : parts.join(''));
    parts.length = 0;
  }
  /** Replaces the accumulated text (protocols whose stream sends the whole text so far, like Gradio). */
  setText(text: string): void {
    this.textParts = [];
    this.chunkParts.length = 0;
    this.storeLength = 0;
    this.keptChars = 0;
    this.totalChars = 0;
    this.keepText(text);
  }
  bytesIn(n: number): void {
    this.t.bytesIn += n;
  }
  extra(name: string, value: number): void {
    this.t.extra[name] = value;
  }

  /** Ends the timeline. A failure keeps every mark taken so far. */
  finish(outcome: OutcomeKind, error?: string, at = nowMs()): Timeline {
    const t = this.t;
    if (Number.isNaN(t.endMs)) t.endMs = at;
    if (Number.isNaN(t.sentMs)) t.sentMs = t.endMs;
    t.outcome = outcome;
    if (error !== undefined) t.error = error;
    this.sealChunk();
    this.flushBytes();
    const store = this.store;
    if (store) {
      this.store = undefined;
      if (spareTextStores.length < MAX_SPARE_TEXT_STORES && store.byteLength <= MAX_SPARE_STORE_BYTES) spareTextStores.push(store);
    }
    if (this.textParts.length) {
      t.text = this.textParts.length === 1 ? this.textParts[0] : this.textParts.join('');
      t.textChars = this.totalChars;
    }
    if (this.count > 0 && !this.attached) {
      this.attached = true;
      typicalEvents = Math.min(MAX_TYPICAL_EVENTS, Math.max(MIN_EVENTS, 2 ** Math.ceil(Math.log2(this.count))));
      attachColumns(t, { count: this.count, events: this.events });
    }
    return t;
  }

  get finished(): boolean {
    return !Number.isNaN(this.t.endMs);
  }
}

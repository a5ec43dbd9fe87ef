import { EventTooLargeError, MAX_EVENT_CHARS, withEvent } from './consumer-failure.js';

/**
 * Newline-delimited JSON over raw body chunks (Ollama's `/api/*`): one
 * value per `\n`-terminated line, stamped with the arrival of the chunk that completed it.
 * Blank lines are skipped; an unterminated last line is delivered at the end (NDJSON allows
 * a missing final newline).
 */
export class NdjsonReader {
  private readonly decoder = new TextDecoder();
  /** The unfinished last line, in pieces: joined once its newline comes, so a long line costs linear time. */
  private pending: string[] = [];
  private pendingChars = 0;
  private stopped = false;

  constructor(private readonly onLine: (line: string, atMs: number) => void) {}

  feed(chunk: Uint8Array, atMs: number): void {
    const text = this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.take(text.slice(start, nl));
      const line = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
      this.pending = [];
      this.pendingChars = 0;
      this.deliver(line, atMs);
      start = nl + 1;
    }
    if (start < text.length) this.take(text.slice(start));
  }

  end(atMs: number): void {
    this.take(this.decoder.decode());
    const line = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.deliver(line, atMs);
  }

  /** Ignore everything after the terminal line. */
  stop(): void {
    this.stopped = true;
  }

  private take(piece: string): void {
    if (piece === '') return;
    this.pendingChars += piece.length;
    if (this.pendingChars > MAX_EVENT_CHARS && !this.stopped) throw new EventTooLargeError();
    this.pending.push(piece);
  }

  private deliver(line: string, atMs: number): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (this.stopped || trimmed.trim() === '') return;
    try {
      this.onLine(trimmed, atMs);
    } catch (err) {
      // A handler that throws on an unexpected shape fails its request with this line (http-exchange.ts).
      throw withEvent(err, trimmed);
    }
  }
}

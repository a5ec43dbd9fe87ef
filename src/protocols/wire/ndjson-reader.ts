import { withEvent } from './consumer-failure.js';

/**
 * Newline-delimited JSON over raw body chunks (Ollama's `/api/*`, PROTOCOLS.md §4): one
 * value per `\n`-terminated line, stamped with the arrival of the chunk that completed it.
 * Blank lines are skipped; an unterminated last line is delivered at the end (NDJSON allows
 * a missing final newline).
 */
export class NdjsonReader {
  private readonly decoder = new TextDecoder();
  private partial = '';
  private stopped = false;

  constructor(private readonly onLine: (line: string, atMs: number) => void) {}

  feed(chunk: Uint8Array, atMs: number): void {
    const lines = (this.partial + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.deliver(line, atMs);
  }

  end(atMs: number): void {
    this.deliver(this.partial + this.decoder.decode(), atMs);
    this.partial = '';
  }

  /** Ignore everything after the terminal line. */
  stop(): void {
    this.stopped = true;
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

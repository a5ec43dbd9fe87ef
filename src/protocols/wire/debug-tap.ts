import type { ProtocolDebugSink } from '../types.js';

/** Splits raw body chunks into lines for a debug sink, each stamped with its chunk's arrival. */
export class DebugLineTap {
  private readonly decoder = new TextDecoder();
  /** The unfinished last line in pieces (joined at its line end: linear in its length). */
  private pending: string[] = [];
  private pendingCr = false;

  constructor(
    private readonly sink: ProtocolDebugSink,
    private readonly requestIndex: number,
  ) {}

  feed(chunk: Uint8Array, atMs: number): void {
    let text = this.decoder.decode(chunk, { stream: true });
    // A CR that ended the last chunk already ended its line; an LF right after it belongs to it.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    const re = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.pending.push(text.slice(start, m.index));
      this.sink.streamLine?.(this.requestIndex, this.pending.join(''), atMs);
      this.pending = [];
      start = m.index + m[0].length;
      if (m[0] === '\r' && start === text.length) this.pendingCr = true;
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  end(atMs: number): void {
    const rest = this.pending.join('') + this.decoder.decode();
    if (rest) this.sink.streamLine?.(this.requestIndex, rest, atMs);
    this.pending = [];
  }
}

/** A tap when the sink wants stream lines, else nothing (no decoding cost on normal runs). */
export function debugLineTap(sink: ProtocolDebugSink | undefined, requestIndex: number): DebugLineTap | undefined {
  return sink?.streamLine ? new DebugLineTap(sink, requestIndex) : undefined;
}

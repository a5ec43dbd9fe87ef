import type { ProtocolDebugSink } from '../types.js';

/** Splits raw body chunks into lines for a debug sink, each stamped with its chunk's arrival. */
export class DebugLineTap {
  private readonly decoder = new TextDecoder();
  private partial = '';

  constructor(
    private readonly sink: ProtocolDebugSink,
    private readonly requestIndex: number,
  ) {}

  feed(chunk: Uint8Array, atMs: number): void {
    const lines = (this.partial + this.decoder.decode(chunk, { stream: true })).split(/\r\n|\r|\n/);
    this.partial = lines.pop()!;
    for (const line of lines) this.sink.streamLine?.(this.requestIndex, line, atMs);
  }

  end(atMs: number): void {
    const rest = this.partial + this.decoder.decode();
    if (rest) this.sink.streamLine?.(this.requestIndex, rest, atMs);
    this.partial = '';
  }
}

/** A tap when the sink wants stream lines, else nothing (no decoding cost on normal runs). */
export function debugLineTap(sink: ProtocolDebugSink | undefined, requestIndex: number): DebugLineTap | undefined {
  return sink?.streamLine ? new DebugLineTap(sink, requestIndex) : undefined;
}

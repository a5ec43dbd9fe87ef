import type { Progress } from '../model/progress.js';

/**
 * A live one-line progress display on a TTY (done/total, rate, errors); nothing when the
 * stream is not a terminal, so logs and pipes stay clean.
 */
export class ProgressLine {
  private last = '';
  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(p: Progress): void {
    if (!this.enabled) return;
    const seconds = p.elapsedMs / 1000;
    const of = p.total !== undefined ? `/${p.total}` : p.durationMs !== undefined ? ` (${seconds.toFixed(0)}/${(p.durationMs / 1000).toFixed(0)} s)` : '';
    const rate = seconds > 0 ? (p.done / seconds).toFixed(1) : '0.0';
    const text =
      p.phase === 'cooldown'
        ? `${p.pointLabel} cooldown ${((p.durationMs ?? 0) / 1000).toFixed(1)} s`
        : `${p.pointLabel} ${p.phase}: ${p.done}${of} done, ${p.inFlight} in flight, ${rate} req/s, ${p.failed} failed`;
    if (text === this.last) return;
    this.last = text;
    this.stream.write(`\r\x1b[2K${text}`);
  }

  clear(): void {
    if (this.enabled && this.last) this.stream.write('\r\x1b[2K');
    this.last = '';
  }
}

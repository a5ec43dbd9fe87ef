import type { RouteContext } from './route-context.js';

/**
 * Writes a keep-alive (Gradio's heartbeat, TGI's `:` comment) after `intervalMs` without
 * a write, as real servers do on idle streams. Call `touch()` on every other write.
 */
export class IdleKeepAlive {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly context: RouteContext,
    private readonly intervalMs: number,
    private readonly bytes: string,
    /** Records the heartbeat where the context's own record does not (a stream several events share). */
    private readonly onBeat?: () => void,
  ) {
    context.signal.addEventListener('abort', () => this.stop(), { once: true });
    context.response.once('finish', () => this.stop());
    this.touch();
  }

  touch(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.beat(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private beat(): void {
    const { response } = this.context;
    if (this.stopped || response.writableEnded || response.destroyed) return;
    if (response.headersSent) {
      this.onBeat?.();
      this.context.writeEvent('heartbeat', this.bytes);
    }
    this.touch();
  }
}

import type { TimelineBuilder } from '../../model/timeline.js';

/**
 * Turns a stream of cumulative texts (Gradio yields the whole text so far) into content
 * events: a token's arrival is the text growing. A value that does not extend the previous
 * one replaced it, and counts as content with its whole length. Unchanged text is an event
 * without content (Gradio's final `complete` repeats the last value).
 */
export class TextGrowth {
  private text: string | undefined;

  constructor(private readonly tl: TimelineBuilder) {}

  update(next: string | undefined, atMs: number): void {
    if (next === undefined) return this.tl.event(atMs);
    const previous = this.text ?? '';
    this.text = next;
    if (next.startsWith(previous)) {
      const delta = next.slice(previous.length);
      if (delta) this.tl.text(delta, 1, atMs);
      else this.tl.event(atMs);
    } else {
      this.tl.text(next, 1, atMs);
    }
    this.tl.setText(next);
  }

  get current(): string | undefined {
    return this.text;
  }
}

/**
 * Characters per second of the growing text, after the first content event: the speed a
 * reader sees text appear. Undefined with fewer than two content events.
 */
export function charsPerSecond(tl: TimelineBuilder): number | undefined {
  const content = tl.t.content;
  if (content.length < 2) return undefined;
  const spanMs = content[content.length - 1]!.atMs - content[0]!.atMs;
  if (spanMs <= 0) return undefined;
  const chars = content.slice(1).reduce((sum, e) => sum + e.chars, 0);
  return (chars / spanMs) * 1000;
}

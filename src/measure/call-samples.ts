import type { CallSample, CallSamples } from '../model/results.js';
import type { Timeline } from '../model/timeline.js';
import type { DerivedMetrics } from './metrics.js';

/** Calls kept of each kind: enough to see what the slow and the failed ones looked like, never per-request data. */
export const CALLS_KEPT = 10;
/** What a results file shows of an answer or an error. */
const PREVIEW_CHARS = 160;
/** Kept until the secrets are replaced, so a secret is never cut in two and half left showing. */
const RAW_PREVIEW_CHARS = 2048;

function preview(text: string | undefined, chars = RAW_PREVIEW_CHARS): string | undefined {
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > chars ? `${flat.slice(0, chars - 1)}…` : flat;
}

/**
 * The slowest ok calls (by latency) and the first failed ones of a phase, each with its
 * timings and a short preview of its answer or error. Previews are redacted with the run's
 * secrets before the results are written (runner).
 */
export class CallSampler {
  private slowest: CallSample[] = [];
  private failed: CallSample[] = [];
  private failedSeen = 0;

  record(t: Timeline, d: DerivedMetrics, phaseStartMs: number): void {
    const base = { index: t.index, startOffsetMs: d.startMs - phaseStartMs, outcome: t.outcome, ...(t.status !== undefined ? { status: String(t.status) } : {}) };
    if (d.ok) {
      const latencyMs = d.values.latency!;
      if (this.slowest.length === CALLS_KEPT && latencyMs <= this.slowest.at(-1)!.latencyMs) return;
      const sample: CallSample = { ...base, latencyMs };
      if (d.values.ttft !== undefined) sample.ttftMs = d.values.ttft;
      if (d.tokens.count !== undefined) sample.outputTokens = d.tokens.count;
      const p = preview(t.text ?? t.bodyPreview);
      if (p) sample.preview = p;
      this.slowest = insertSlowest(this.slowest, sample);
      return;
    }
    this.failedSeen++;
    if (this.failed.length >= CALLS_KEPT) return;
    const sample: CallSample = { ...base, latencyMs: d.values.error_latency ?? t.endMs - d.startMs };
    if (t.error) sample.error = preview(t.error);
    const p = preview(t.bodyPreview);
    if (p) sample.preview = p;
    this.failed.push(sample);
  }

  toResult(): CallSamples {
    return { slowest: [...this.slowest], failed: [...this.failed], failedCount: this.failedSeen };
  }

  /** Parts of one phase (worker threads, machines): the slowest of all, the earliest failures. */
  static merge(parts: { calls?: CallSamples; startedAtEpochMs: number }[], originEpochMs: number): CallSamples | undefined {
    const present = parts.filter((p) => p.calls);
    if (!present.length) return undefined;
    const shifted = (p: (typeof present)[number], xs: CallSample[]) => xs.map((c) => ({ ...c, startOffsetMs: c.startOffsetMs + p.startedAtEpochMs - originEpochMs }));
    let slowest: CallSample[] = [];
    for (const p of present) for (const c of shifted(p, p.calls!.slowest)) slowest = insertSlowest(slowest, c);
    const failed = present
      .flatMap((p) => shifted(p, p.calls!.failed))
      .sort((a, b) => a.startOffsetMs - b.startOffsetMs)
      .slice(0, CALLS_KEPT);
    return { slowest, failed, failedCount: present.reduce((n, p) => n + p.calls!.failedCount, 0) };
  }
}

function insertSlowest(list: CallSample[], sample: CallSample): CallSample[] {
  const out = [...list, sample].sort((a, b) => b.latencyMs - a.latencyMs);
  return out.slice(0, CALLS_KEPT);
}

/** Replaces secrets in the kept calls' previews and errors (the run's redaction), then shortens them to what a report shows. */
export function redactCallSamples(calls: CallSamples | undefined, redact: (text: string) => string): void {
  if (!calls) return;
  for (const c of [...calls.slowest, ...calls.failed]) {
    if (c.preview) c.preview = preview(redact(c.preview), PREVIEW_CHARS);
    if (c.error) c.error = preview(redact(c.error), PREVIEW_CHARS);
  }
}

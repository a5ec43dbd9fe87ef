import { CONTENT_KIND_OF_FAMILY, METRICS, metricApplies, type FamilyOf, type MetricDefinition, type MetricName } from '../model/metrics.js';
import { CONTENT_STRIDE, contentColumns, kindCode, type OutcomeKind, type Timeline } from '../model/timeline.js';
import type { TokenizerCount } from './tokens.js';

/** Metrics with one value per request (itl and itl_per_token have many; run-level ones have none). */
export type ScalarMetricName = Exclude<MetricName, 'itl' | 'itl_per_token'>;

export type OutputTokenSource = 'usage' | 'tokenizer' | 'events' | 'none';

/** A request's output tokens, with where the count came from and every count that was available. */
export interface OutputTokenCount {
  /** The count used for tpot and throughput; undefined when source is 'none'. */
  count?: number;
  source: OutputTokenSource;
  usage?: number;
  tokenizer?: number;
  /** The tokenizer count was extrapolated from the answer's first TOKENIZER_CAP_CHARS characters. */
  tokenizerEstimated?: boolean;
  /** Sum of content events' units (undefined when the request had no content events). */
  events?: number;
}

export type InputTokenSource = 'usage' | 'tokenizer' | 'none';

/** A request's input (prompt) tokens: the server's usage when it reported them, else the client tokenizer over the prompt as sent. */
export interface InputTokenCount {
  count?: number;
  source: InputTokenSource;
  usage?: number;
  tokenizer?: number;
}

export interface DerivedMetrics {
  outcome: OutcomeKind;
  ok: boolean;
  /** The start all "− start" metrics use (scheduled in open loop, else sent). */
  startMs: number;
  /** One value per request for each metric that applies. */
  values: Partial<Record<ScalarMetricName, number>>;
  /** Gaps between consecutive content events (ms), content events − 1 of them. */
  itl: number[];
  /** Each gap divided by the later event's units (events with 0 units are skipped). */
  itlPerToken: number[];
  /** When the later token of each `itl` gap arrived (monotonic ms), for per-second series by arrival. */
  itlAtMs: number[];
  /** When the first token arrived (the `ttft` mark). */
  firstTokenAtMs?: number;
  /** Protocol-specific metrics from `Timeline.extra`, each recorded under its own name (ok requests only). */
  extra: Record<string, number>;
  tokens: OutputTokenCount;
  inputTokens: InputTokenCount;
}

export interface DeriveOptions {
  /** What the target answers with: only this family's metrics are derived. */
  family: FamilyOf;
  /** Open loop (rate, poisson, gamma, ramp): latency is measured from the intended start. */
  openLoop: boolean;
  /** Client-side token counter (measure/tokens.ts), used when the server reports no usage and to report both counts. */
  tokenizer?: (text: string) => number;
  /**
   * Takes each ITL gap (with the later event's units and arrival) instead of `itl`,
   * `itlPerToken` and `itlAtMs`, which then stay empty: the recorder records gaps straight
   * into its histograms, with no array per request.
   */
  onGap?: (gapMs: number, units: number, atMs: number) => void;
  /** The tokenizer's count of this answer, counted already (off the event loop, capped): used instead of `tokenizer`. */
  tokenizerCount?: TokenizerCount;
  /** The same for the prompt as sent (`input_tokens`). */
  promptTokenizerCount?: TokenizerCount;
}

const TOKENS = kindCode('tokens');

/**
 * Derives the per-request metrics of model/metrics.ts from one Timeline.
 *
 * Only ok requests yield latency-like metrics. A failed request yields `error_latency`
 * (end − start, so timeouts stay visible without polluting `latency`) and, in open loop,
 * `queue_delay`, which describes the client rather than the server and so is kept for
 * every request (it is also what the late-send share is computed from).
 */
export function deriveMetrics(t: Timeline, opts: DeriveOptions): DerivedMetrics {
  const { family } = opts;
  // Closed loop: a connection the call opened is part of what the caller waits for.
  const startMs = opts.openLoop && t.scheduledMs !== undefined ? t.scheduledMs : callStartMs(t);
  const ok = t.outcome === 'ok';
  const values: DerivedMetrics['values'] = {};
  const text = family.family === 'text';
  const tokens: OutputTokenCount = text ? countOutputTokens(t, opts.tokenizerCount ?? opts.tokenizer) : { source: 'none' };
  const inputTokens: InputTokenCount = text ? countInputTokens(t, opts.promptTokenizerCount ?? opts.tokenizer) : { source: 'none' };
  const d: DerivedMetrics = { outcome: t.outcome, ok, startMs, values, itl: [], itlPerToken: [], itlAtMs: [], extra: {}, tokens, inputTokens };

  if (opts.openLoop && t.scheduledMs !== undefined) values.queue_delay = t.sentMs - t.scheduledMs;
  if (!ok) {
    values.error_latency = t.endMs - startMs;
    return d;
  }

  values.latency = t.endMs - startMs;
  if (t.connectMs !== undefined) values.connect = t.connectMs;
  values.service_time = t.endMs - t.sentMs;
  // A protocol that only marks headers still received its first byte no later than them.
  const firstByteMs = t.firstByteMs ?? t.headersMs;
  if (firstByteMs !== undefined) values.ttfb = firstByteMs - startMs;

  if (family.streamed) {
    if (t.firstEventMs !== undefined) values.first_event = t.firstEventMs - startMs;
    // The family's own content (text for text, samples for audio, frames for frames); any content for a unary stream.
    const { count, events: e } = contentColumns(t);
    const own = family.family === 'unary' ? -1 : kindCode(CONTENT_KIND_OF_FAMILY[family.family]);
    let firstAt = NaN;
    let lastAt = NaN;
    let n = 0;
    const onGap = opts.onGap;
    for (let i = 0; i < count * CONTENT_STRIDE; i += CONTENT_STRIDE) {
      if (own !== -1 && e[i + 3] !== own) continue;
      const at = e[i]!;
      if (n === 0) firstAt = at;
      else if (text) {
        const gap = at - lastAt;
        const units = e[i + 1]!;
        if (onGap) onGap(gap, units, at);
        else {
          d.itl.push(gap);
          d.itlAtMs.push(at);
          if (units > 0) d.itlPerToken.push(gap / units);
        }
      }
      lastAt = at;
      n++;
    }
    if (n > 0) values.stream_time = lastAt - (t.firstEventMs ?? firstAt);
    if (text && n > 0) {
      values.ttft = firstAt - startMs;
      d.firstTokenAtMs = firstAt;
      // One content event holding every token says nothing about per-token time.
      if (tokens.count !== undefined && tokens.count > 1 && n > 1) {
        values.tpot = (lastAt - firstAt) / (tokens.count - 1);
        if (values.tpot > 0) values.decode_speed = 1000 / values.tpot;
      }
    }
  }
  if (text && tokens.count !== undefined) values.output_tokens = tokens.count;
  if (text && inputTokens.count !== undefined) values.input_tokens = inputTokens.count;

  // Protocol metrics (audio, frames, server durations, callback time): kept when they fit the family.
  const table = METRICS as Record<string, MetricDefinition>;
  for (const [name, value] of Object.entries(t.extra)) {
    if (!Number.isFinite(value)) continue;
    const def = table[name];
    if (def && !metricApplies(def, family)) continue;
    d.extra[name] = value;
  }
  return d;
}

/** When a call started: its send, less the connection set-up it waited for when it opened one. */
export function callStartMs(t: Timeline): number {
  return t.sentMs - (t.connectMs ?? 0);
}

/** `output_tokens` (model/metrics.ts): usage → tokenizer → content event units, keeping every count available. */
export function countOutputTokens(t: Timeline, tokenizer?: ((text: string) => number) | TokenizerCount): OutputTokenCount {
  const usage = t.usageTokens;
  const counted = typeof tokenizer === 'function' ? (t.text !== undefined ? { tokens: tokenizer(t.text), estimated: false } : undefined) : tokenizer;
  const tok = counted && Number.isFinite(counted.tokens) ? counted.tokens : undefined;
  let events: number | undefined;
  const { count, events: e } = contentColumns(t);
  for (let i = 0; i < count * CONTENT_STRIDE; i += CONTENT_STRIDE) if (e[i + 3] === TOKENS) events = (events ?? 0) + e[i + 1]!;
  const out: OutputTokenCount = { source: 'none' };
  if (usage !== undefined) out.usage = usage;
  if (tok !== undefined) out.tokenizer = tok;
  if (tok !== undefined && counted!.estimated) out.tokenizerEstimated = true;
  if (events !== undefined) out.events = events;
  if (usage !== undefined) Object.assign(out, { count: usage, source: 'usage' });
  else if (tok !== undefined) Object.assign(out, { count: tok, source: 'tokenizer' });
  else if (events !== undefined) Object.assign(out, { count: events, source: 'events' });
  return out;
}

/** `input_tokens` (model/metrics.ts): usage (prompt tokens) → the client tokenizer over the prompt as sent, keeping both. */
export function countInputTokens(t: Timeline, tokenizer?: ((text: string) => number) | TokenizerCount): InputTokenCount {
  const usage = t.usageInputTokens;
  const counted = typeof tokenizer === 'function' ? (t.prompt !== undefined ? tokenizer(t.prompt) : undefined) : tokenizer?.tokens;
  const tok = counted !== undefined && Number.isFinite(counted) ? counted : undefined;
  const out: InputTokenCount = { source: 'none' };
  if (usage !== undefined) out.usage = usage;
  if (tok !== undefined) out.tokenizer = tok;
  if (usage !== undefined) Object.assign(out, { count: usage, source: 'usage' });
  else if (tok !== undefined) Object.assign(out, { count: tok, source: 'tokenizer' });
  return out;
}

import type { MetricUnit } from '../model/results.js';
import type { OutcomeKind, Timeline } from '../model/timeline.js';

/**
 * Every metric derived from one request's Timeline, defined once (shared/METRICS.md).
 * The table is what `--help` and the HTML report print; the doc comments in
 * {@link deriveMetrics} point back here.
 */
export const METRIC_DEFINITIONS = {
  latency: { unit: 'ms', definition: 'end − start (start = intended start in open loop, send time in closed loop); ok requests' },
  service_time: { unit: 'ms', definition: 'end − sent (equals latency in closed loops); ok requests' },
  ttfb: { unit: 'ms', definition: 'first response byte − start; ok requests' },
  queue_delay: { unit: 'ms', definition: 'sent − scheduled (open loop only, every request); large values mean the client fell behind' },
  first_event: { unit: 'ms', definition: 'first complete stream event with any payload (heartbeats excluded) − start' },
  ttft: { unit: 'ms', definition: 'first event carrying non-empty content − start (a role-only or empty chunk does not count)' },
  itl: { unit: 'ms', definition: 'one sample per gap between consecutive content events' },
  itl_per_token: { unit: 'ms', definition: 'each itl gap divided by the tokens in the later event' },
  tpot: { unit: 'ms', definition: '(last content event − first content event) / (output_tokens − 1); undefined for ≤ 1 token or < 2 content events' },
  stream_time: { unit: 'ms', definition: 'last content event − first event' },
  output_tokens: { unit: 'tokens', definition: 'server usage field, else client tokenizer, else content event units' },
  decode_speed: { unit: 'tokens/s', definition: '1000 / tpot (per request)' },
  error_latency: { unit: 'ms', definition: 'end − start of failed requests (kept apart so failures never flatter or spoil latency)' },
  submit: { unit: 'ms', definition: 'Gradio: POST /call/<api> until its event_id arrived' },
  ttfc: { unit: 'ms', definition: 'speech: first audio chunk with at least one whole sample − start' },
  audio_seconds: { unit: 's', definition: 'speech: samples received / sample rate (WAV header, or PCM bytes with the declared rate, width and channels)' },
  rtf: { unit: 'ratio', definition: 'speech: latency / audio duration (below 1 = faster than real time)' },
  stream_rtf: { unit: 'ratio', definition: 'speech: (end − first audio chunk) / audio duration' },
  stall_count: { unit: 'count', definition: 'speech: chunks that arrived after the audio before them would have finished playing' },
  stall_ms: { unit: 'ms', definition: 'speech: silence a listener would have heard waiting for late chunks, summed per request' },
  audio_chunks_count: { unit: 'count', definition: 'speech: chunks that completed at least one sample' },
} as const satisfies Record<string, { unit: MetricUnit; definition: string }>;

export type MetricName = keyof typeof METRIC_DEFINITIONS;
/** Metrics with one value per request (itl and itl_per_token have many). */
export type ScalarMetricName = Exclude<MetricName, 'itl' | 'itl_per_token'>;

/** Integer multiplier per unit before recording into an HDR histogram (ms → µs; rates keep 3 decimals). */
export const SCALE_BY_UNIT: Record<MetricUnit, number> = {
  ms: 1000,
  tokens: 1,
  'tokens/s': 1000,
  count: 1,
  ratio: 1_000_000,
  bytes: 1,
  'chars/s': 1000,
  s: 1_000_000,
};

/**
 * Unit of a metric by name: the table above, else the protocol-specific naming rule for
 * `Timeline.extra` ("ms unless the name says otherwise": `_tokens`, `_bytes`, `_count`, `_ratio`/`rtf`).
 */
export function metricUnit(name: string): MetricUnit {
  if (name in METRIC_DEFINITIONS) return METRIC_DEFINITIONS[name as MetricName].unit;
  if (name.endsWith('_tokens')) return 'tokens';
  if (name.endsWith('_bytes')) return 'bytes';
  if (name.endsWith('_count')) return 'count';
  if (name.endsWith('_ratio') || name === 'rtf' || name.endsWith('_rtf')) return 'ratio';
  if (name.endsWith('tokens_per_s')) return 'tokens/s';
  if (name.endsWith('chars_per_s')) return 'chars/s';
  if (name.endsWith('_seconds')) return 's';
  return 'ms';
}

export type OutputTokenSource = 'usage' | 'tokenizer' | 'events' | 'none';

/** A request's output tokens, with where the count came from and every count that was available. */
export interface OutputTokenCount {
  /** The count used for tpot and throughput; undefined when source is 'none'. */
  count?: number;
  source: OutputTokenSource;
  usage?: number;
  tokenizer?: number;
  /** Sum of content events' units (undefined when the request had no content events). */
  events?: number;
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
  /** Protocol-specific metrics from `Timeline.extra`, each recorded under its own name (ok requests only). */
  extra: Record<string, number>;
  tokens: OutputTokenCount;
}

export interface DeriveOptions {
  /** Open loop (rate, poisson, gamma, ramp): latency is measured from the intended start. */
  openLoop: boolean;
  /** Client-side token counter (measure/tokens.ts), used when the server reports no usage and to report both counts. */
  tokenizer?: (text: string) => number;
}

/**
 * Derives METRICS.md's per-request metrics from one Timeline.
 *
 * Only ok requests yield latency-like metrics. A failed request yields `error_latency`
 * (end − start, so timeouts stay visible without polluting `latency`) and, in open loop,
 * `queue_delay`, which describes the client rather than the server and so is kept for
 * every request (it is also what the late-send share is computed from).
 */
export function deriveMetrics(t: Timeline, opts: DeriveOptions): DerivedMetrics {
  const startMs = opts.openLoop && t.scheduledMs !== undefined ? t.scheduledMs : t.sentMs;
  const ok = t.outcome === 'ok';
  const values: DerivedMetrics['values'] = {};
  const tokens = countOutputTokens(t, opts.tokenizer);
  const d: DerivedMetrics = { outcome: t.outcome, ok, startMs, values, itl: [], itlPerToken: [], extra: {}, tokens };

  if (opts.openLoop && t.scheduledMs !== undefined) values.queue_delay = t.sentMs - t.scheduledMs;
  if (!ok) {
    values.error_latency = t.endMs - startMs;
    return d;
  }

  values.latency = t.endMs - startMs;
  values.service_time = t.endMs - t.sentMs;
  // A protocol that only marks headers still received its first byte no later than them.
  const firstByteMs = t.firstByteMs ?? t.headersMs;
  if (firstByteMs !== undefined) values.ttfb = firstByteMs - startMs;
  if (t.firstEventMs !== undefined) values.first_event = t.firstEventMs - startMs;

  const content = t.content;
  if (content.length > 0) {
    const first = content[0]!;
    const last = content[content.length - 1]!;
    values.ttft = first.atMs - startMs;
    values.stream_time = last.atMs - (t.firstEventMs ?? first.atMs);
    for (let i = 1; i < content.length; i++) {
      const gap = content[i]!.atMs - content[i - 1]!.atMs;
      d.itl.push(gap);
      if (content[i]!.units > 0) d.itlPerToken.push(gap / content[i]!.units);
    }
    // One content event holding every token says nothing about per-token time.
    if (tokens.count !== undefined && tokens.count > 1 && content.length > 1) {
      values.tpot = (last.atMs - first.atMs) / (tokens.count - 1);
      if (values.tpot > 0) values.decode_speed = 1000 / values.tpot;
    }
  }
  if (tokens.count !== undefined) values.output_tokens = tokens.count;

  for (const [name, value] of Object.entries(t.extra)) {
    if (Number.isFinite(value)) d.extra[name] = value;
  }
  return d;
}

/** METRICS.md `output_tokens`: usage → tokenizer → content event units, keeping every count available. */
export function countOutputTokens(t: Timeline, tokenizer?: (text: string) => number): OutputTokenCount {
  const usage = t.usageTokens;
  const tok = tokenizer && t.text !== undefined ? tokenizer(t.text) : undefined;
  const events = t.content.length > 0 ? t.content.reduce((sum, e) => sum + e.units, 0) : undefined;
  const out: OutputTokenCount = { source: 'none' };
  if (usage !== undefined) out.usage = usage;
  if (tok !== undefined) out.tokenizer = tok;
  if (events !== undefined) out.events = events;
  if (usage !== undefined) Object.assign(out, { count: usage, source: 'usage' });
  else if (tok !== undefined) Object.assign(out, { count: tok, source: 'tokenizer' });
  else if (events !== undefined) Object.assign(out, { count: events, source: 'events' });
  return out;
}

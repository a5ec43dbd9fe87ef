import { epochMsOf } from '../model/clock.js';
import { deriveMetrics, type InputTokenSource, type OutputTokenSource } from './metrics.js';
import { metricUnit, SCALE_BY_UNIT, type FamilyOf, type MetricFamily } from '../model/metrics.js';
import { OUTCOME_KINDS, type OutcomeKind, type Timeline } from '../model/timeline.js';
import { CLIENT_HEALTH_LIMITS, type ClientHealthSample } from '../monitor/client-health.js';
import { MetricHistogram } from '../stats/histogram.js';
import type { ClientHealth, InputTokenAccounting, MetricResult, MetricUnit, PhaseResult, TokenAccounting } from '../model/results.js';
import { AudioTotals } from './audio-totals.js';
import { GoodputCounter } from './goodput.js';
import { errorGroupOf } from './error-groups.js';
import { CallSampler } from './call-samples.js';
import { SubSecondRecorder, SUB_SECOND_MAX_PHASE_MS } from './sub-second-series.js';
import type { Condition } from '../conditions/condition.js';
import { TOKENIZER_CAP_CHARS, type TokenizerCounts } from './tokens.js';

export interface RecorderOptions {
  /** What the target answers with: which metrics, throughput and series the phase has. */
  family: FamilyOf;
  /** Monotonic time the phase began; per-second series count from here. */
  phaseStartMs: number;
  openLoop: boolean;
  tokenizer?: (text: string) => number;
  /** Per-request SLOs (`--slo`); goodput counts the requests meeting all of them. */
  slos?: readonly Condition[];
  /** Open loop: a send later than this after its intended start counts as late (one inter-arrival gap; default 1 ms). */
  lateSendMs?: number;
}

/** Distinct error messages kept while recording (memory stays flat); later ones are counted together. */
const MAX_DISTINCT_ERRORS = 1000;
const MAX_ERROR_CHARS = 200;
const OTHER_ERRORS = '(other error messages)';
const TOP_ERRORS = 10;
/** Per-second latency histograms older than this many seconds behind the newest are kept encoded. */
const LIVE_SECONDS = 10;
const LATENCY_SCALE = SCALE_BY_UNIT.ms;
/** Multi-turn sessions: turns 1..this get their own `turn_<k>_ttft` and `turn_<k>_input_tokens` histograms. */
export const MAX_TURN_METRICS = 10;

/**
 * Aggregates one phase's Timelines into histograms, counts and per-second series.
 * Nothing per request is kept, so memory stays flat however many requests a phase has.
 * Phases recorded apart (worker threads, machines) combine with {@link Recorder.merge}.
 */
export class Recorder {
  private readonly opts: RecorderOptions;
  private readonly s: PhaseTotals;

  constructor(opts: RecorderOptions) {
    this.opts = opts;
    this.s = new PhaseTotals(epochMsOf(opts.phaseStartMs), opts.family);
    if (opts.lateSendMs !== undefined) this.s.lateSendThresholdMs = opts.lateSendMs;
    if (opts.slos?.length) this.s.goodput = new GoodputCounter(opts.slos);
  }

  /** Derives one finished request's metrics and adds them (`counted`: its answer and prompt counted already, measure/tokens.ts). */
  record(t: Timeline, counted?: TokenizerCounts): void {
    const s = this.s;
    const d = deriveMetrics(t, { family: this.opts.family, openLoop: this.opts.openLoop, tokenizer: this.opts.tokenizer, tokenizerCount: counted?.output, promptTokenizerCount: counted?.input });
    s.completed++;
    s.byOutcome[d.outcome]++;
    if (t.status !== undefined) s.addStatus(String(t.status), 1);
    s.noteSpan(d.startMs - this.opts.phaseStartMs, t.endMs - this.opts.phaseStartMs);
    s.busyMs += Math.max(0, t.endMs - t.sentMs);

    for (const [name, value] of Object.entries(d.values)) s.histogram(name).record(value);
    if (d.itl.length) {
      const itl = s.histogram('itl');
      for (const gap of d.itl) itl.record(gap);
    }
    if (d.itlPerToken.length) {
      const perToken = s.histogram('itl_per_token');
      for (const gap of d.itlPerToken) perToken.record(gap);
    }
    for (const [name, value] of Object.entries(d.extra)) s.histogram(name).record(value);
    if (d.ok && t.turn !== undefined && t.turn <= MAX_TURN_METRICS) {
      if (d.values.ttft !== undefined) s.histogram(`turn_${t.turn}_ttft`, 'ms').record(d.values.ttft);
      if (d.values.input_tokens !== undefined) s.histogram(`turn_${t.turn}_input_tokens`, 'tokens').record(d.values.input_tokens);
    }
    s.audio.record(d);
    s.goodput?.record(d);
    s.calls.record(t, d, this.opts.phaseStartMs);
    s.subSecond.noteEnded(t.endMs - this.opts.phaseStartMs, d.ok, d.tokens.count ?? 0, d.values.latency);

    if (d.values.queue_delay !== undefined) {
      s.openLoopRequests++;
      if (d.values.queue_delay > (this.opts.lateSendMs ?? CLIENT_HEALTH_LIMITS.lateSendMs)) s.lateSends++;
    }

    const sec = this.secondOf(t.endMs);
    if (d.ok) {
      s.ok++;
      s.series.add('ok', sec, 1);
      s.series.latency.record(sec, d.values.latency!);
      this.recordArrivals(t, d.tokens.count);
      if (this.opts.family.family === 'text') {
        s.tokens.add(d.tokens.source, d.tokens.count ?? 0, d.tokens.usage, d.tokens.tokenizer, d.tokens.events, d.tokens.tokenizerEstimated ? 1 : 0);
        s.tokens.addInput(d.inputTokens.source, d.inputTokens.count ?? 0, d.inputTokens.usage, d.inputTokens.tokenizer);
      }
      // TTFT and each inter-token gap in the second its token arrived.
      if (d.values.ttft !== undefined && d.firstTokenAtMs !== undefined) s.series.ttft.record(this.secondOf(d.firstTokenAtMs), d.values.ttft);
      for (let i = 0; i < d.itl.length; i++) s.series.itl.record(this.secondOf(d.itlAtMs[i]!), d.itl[i]!);
    } else {
      s.failed++;
      s.series.add('errors', sec, 1);
      s.addError(errorMessage(t), 1);
    }
  }

  /**
   * Per-second throughput placed by when content arrived, not when its request ended (a
   * request's tokens all counted in its last second made one long answer look like a burst).
   * Text: the request's token count spread over its text events in proportion to their
   * tokens (so the series sums to the same total as usage); frames and audio by their events.
   */
  private recordArrivals(t: Timeline, tokenCount: number | undefined): void {
    const series = this.s.series;
    switch (this.opts.family.family) {
      case 'text': {
        if (!tokenCount) return;
        let units = 0;
        for (const e of t.content) if (e.kind === 'tokens') units += e.units;
        if (units === 0) return series.add('outputTokens', this.secondOf(t.endMs), tokenCount);
        // Whole tokens by cumulative rounding, so per-second counts stay integers and merges stay exact.
        const perUnit = tokenCount / units;
        let seen = 0;
        let placed = 0;
        for (const e of t.content) {
          if (e.kind !== 'tokens') continue;
          seen += e.units;
          const upTo = Math.round(seen * perUnit);
          if (upTo > placed) series.add('outputTokens', this.secondOf(e.atMs), upTo - placed);
          placed = upTo;
        }
        return;
      }
      case 'frames':
        for (const e of t.content) if (e.kind === 'frames') series.add('frames', this.secondOf(e.atMs), e.units);
        return;
      case 'audio': {
        const rate = t.sampleRateHz;
        if (!rate) return;
        for (const e of t.content) if (e.kind === 'samples') series.add('audioSeconds', this.secondOf(e.atMs), e.units / rate);
        return;
      }
    }
  }

  /** The runner calls this as each request leaves (requests still in flight at the end count as sent). */
  noteSent(atMs: number): void {
    this.s.sent++;
    this.s.series.add('sent', this.secondOf(atMs), 1);
    this.s.subSecond.noteSent(atMs - this.opts.phaseStartMs);
  }

  /** An open-loop arrival that could not start (in-flight cap reached). */
  noteDropped(): void {
    this.s.dropped++;
  }

  /** Current in-flight requests, for the max and the per-second in-flight maximum. */
  noteInFlight(n: number, atMs: number): void {
    this.s.maxInFlight = Math.max(this.s.maxInFlight, n);
    this.s.series.max('inFlightMax', this.secondOf(atMs), n);
  }

  /** Share of open-loop requests sent more than 1 ms after their intended start. */
  get lateSendShare(): number {
    return this.s.lateSendShare();
  }

  toPhaseResult(clientHealth: ClientHealthSample): PhaseResult {
    return this.s.toPhaseResult(clientHealth);
  }

  /**
   * Combines phases recorded apart into the one a single recorder would have built:
   * histograms, counts, token totals and series add exactly (series are aligned by
   * whole seconds of their phase starts, which parts of one phase share). Not exact, by
   * nature: `concurrency.max` and `series.inFlightMax` become the sum of the parts'
   * maxima (an upper bound), the top-10 errors are merged from each part's top 10, and
   * client health takes the worst part's figures (the verdict is judged on them afterwards).
   */
  static merge(parts: PhaseResult[]): PhaseResult {
    if (parts.length === 0) throw new Error('Recorder.merge needs at least one phase');
    const originEpochMs = Math.min(...parts.map((p) => p.startedAtEpochMs));
    const first = parts[0]!;
    const family: FamilyOf = { family: first.family, streamed: first.streamed, ...(first.inProcess ? { inProcess: true } : {}) };
    if (parts.some((p) => p.family !== family.family)) throw new Error(`cannot merge phases of different metric families (${[...new Set(parts.map((p) => p.family))].join(', ')})`);
    const s = new PhaseTotals(originEpochMs, family);
    const health: ClientHealthSample = { eventLoopDelayMs: { mean: 0, p99: 0, max: 0 }, cpuPercent: 0, threadBusyShare: 0 };
    for (const p of parts) {
      const shiftMs = p.startedAtEpochMs - originEpochMs;
      const shiftSec = Math.round(shiftMs / 1000);
      const c = p.counts;
      s.sent += c.sent;
      s.completed += c.completed;
      s.ok += c.ok;
      s.failed += c.failed;
      s.dropped += c.dropped;
      for (const k of OUTCOME_KINDS) s.byOutcome[k] += c.byOutcome[k] ?? 0;
      for (const [status, n] of Object.entries(c.byStatus)) s.addStatus(status, n);
      for (const e of c.errors) s.addError(e.message, e.count);
      if (c.completed > 0) {
        const first = shiftMs + p.firstStartOffsetMs;
        s.noteSpan(first, first + p.durationMs);
      }
      s.busyMs += p.concurrency.mean * p.durationMs;
      s.maxInFlight += p.concurrency.max;

      for (const [name, m] of Object.entries(p.metrics)) s.histogram(name, m.unit, m.scale).add(MetricHistogram.decode(m.histogram, m.scale));

      if (p.tokens) s.tokens.merge(p.tokens);
      s.audio.merge(p.audio);
      if (p.goodput) {
        if (s.goodput) s.goodput.merge(p.goodput);
        else s.goodput = GoodputCounter.fromResult(p.goodput);
      }
      const q = p.metrics.queue_delay?.summary.count ?? 0;
      s.openLoopRequests += q;
      s.lateSends += Math.round(p.clientHealth.lateSendShare * q);

      const ser = p.series;
      for (let i = 0; i < ser.sent.length; i++) {
        const sec = Math.max(0, i + shiftSec);
        s.series.add('sent', sec, ser.sent[i]!);
        s.series.add('ok', sec, ser.ok[i]!);
        s.series.add('errors', sec, ser.errors[i]!);
        for (const name of FAMILY_SERIES) {
          const v = ser[name]?.[i];
          if (v) s.series.add(name, sec, v);
        }
        s.series.add('inFlightMax', sec, ser.inFlightMax[i]!);
        const h = ser.latencyHistograms[i];
        if (h) s.series.latency.addEncoded(sec, h);
        const ttft = ser.ttftHistograms?.[i];
        if (ttft) s.series.ttft.addEncoded(sec, ttft);
        const itl = ser.itlHistograms?.[i];
        if (itl) s.series.itl.addEncoded(sec, itl);
      }

      const ch = p.clientHealth;
      health.eventLoopDelayMs.mean = Math.max(health.eventLoopDelayMs.mean, ch.eventLoopDelayMs.mean);
      health.eventLoopDelayMs.p99 = Math.max(health.eventLoopDelayMs.p99, ch.eventLoopDelayMs.p99);
      health.eventLoopDelayMs.max = Math.max(health.eventLoopDelayMs.max, ch.eventLoopDelayMs.max);
      health.cpuPercent = Math.max(health.cpuPercent, ch.cpuPercent);
      health.threadBusyShare = Math.max(health.threadBusyShare, ch.threadBusyShare ?? 0);
      if (ch.machine && (!health.machine || (ch.machine.busyShare ?? 0) > (health.machine.busyShare ?? 0))) health.machine = { ...ch.machine };
      if (ch.lateSendThresholdMs !== undefined) s.lateSendThresholdMs = ch.lateSendThresholdMs;
    }
    const merged = s.toPhaseResult(health);
    const calls = CallSampler.merge(parts, originEpochMs);
    if (calls) merged.calls = calls;
    const subSecond = SubSecondRecorder.merge(parts, originEpochMs);
    if (subSecond && merged.durationMs <= SUB_SECOND_MAX_PHASE_MS) merged.subSecond = subSecond;
    else delete merged.subSecond;
    return merged;
  }

  private secondOf(atMs: number): number {
    return Math.max(0, Math.floor((atMs - this.opts.phaseStartMs) / 1000));
  }
}

function errorMessage(t: Timeline): string {
  // Messages that differ only by ids (series, request, trace ids) are one error.
  const message = errorGroupOf(t.error ?? (t.status !== undefined ? `${t.outcome} (status ${t.status})` : t.outcome));
  return message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS - 1)}…` : message;
}

/** The running totals behind a PhaseResult; shared by recording and merging so both build results the same way. */
class PhaseTotals {
  sent = 0;
  completed = 0;
  ok = 0;
  failed = 0;
  dropped = 0;
  byOutcome = Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as Record<OutcomeKind, number>;
  private byStatus = new Map<string, number>();
  private errors = new Map<string, number>();
  /** Offsets in ms from the phase start. */
  private firstStartMs = Infinity;
  private lastEndMs = -Infinity;
  busyMs = 0;
  maxInFlight = 0;
  openLoopRequests = 0;
  lateSends = 0;
  lateSendThresholdMs: number = CLIENT_HEALTH_LIMITS.lateSendMs;
  private metrics = new Map<string, { unit: MetricUnit; h: MetricHistogram }>();
  readonly tokens = new TokenTotals();
  readonly series = new Series();
  readonly audio = new AudioTotals();
  readonly calls = new CallSampler();
  readonly subSecond = new SubSecondRecorder();
  goodput: GoodputCounter | undefined;

  constructor(
    readonly startedAtEpochMs: number,
    readonly family: FamilyOf,
  ) {}

  noteSpan(startOffsetMs: number, endOffsetMs: number): void {
    this.firstStartMs = Math.min(this.firstStartMs, startOffsetMs);
    this.lastEndMs = Math.max(this.lastEndMs, endOffsetMs);
  }

  histogram(name: string, unit: MetricUnit = metricUnit(name), scale = SCALE_BY_UNIT[unit]): MetricHistogram {
    let m = this.metrics.get(name);
    if (!m) {
      m = { unit, h: new MetricHistogram(scale) };
      this.metrics.set(name, m);
    }
    return m.h;
  }

  addStatus(status: string, n: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + n);
  }

  addError(message: string, n: number): void {
    const key = this.errors.has(message) || this.errors.size < MAX_DISTINCT_ERRORS ? message : OTHER_ERRORS;
    this.errors.set(key, (this.errors.get(key) ?? 0) + n);
  }

  lateSendShare(): number {
    return this.openLoopRequests > 0 ? this.lateSends / this.openLoopRequests : 0;
  }

  toPhaseResult(sample: ClientHealthSample): PhaseResult {
    const spanned = this.lastEndMs >= this.firstStartMs;
    const durationMs = spanned ? this.lastEndMs - this.firstStartMs : 0;
    const perSecond = durationMs > 0 ? 1000 / durationMs : 0;
    const metrics: Record<string, MetricResult> = {};
    for (const name of [...this.metrics.keys()].sort()) {
      const { unit, h } = this.metrics.get(name)!;
      metrics[name] = { unit, summary: h.summary(), histogram: h.encode(), scale: h.scale };
    }
    const series = this.series.toResult(this.family.family);
    // The figures only; the verdict (clientBound, causes) is judged once per phase by judgeClientHealth.
    const clientHealth: ClientHealth = {
      eventLoopDelayMs: { ...sample.eventLoopDelayMs },
      cpuPercent: sample.cpuPercent,
      lateSendShare: this.lateSendShare(),
      clientBound: false,
      threadBusyShare: sample.threadBusyShare,
      lateSendThresholdMs: this.lateSendThresholdMs,
    };
    if (sample.machine) clientHealth.machine = { ...sample.machine };
    const family = this.family.family;
    const throughput: PhaseResult['throughput'] = { requestsPerSecond: this.ok * perSecond };
    const peak = (a: number[] | undefined) => (a ?? []).reduce((x, y) => Math.max(x, y), 0);
    const tokens = family === 'text' ? this.tokens.toResult() : undefined;
    if (family === 'text') {
      throughput.outputTokensPerSecond = this.tokens.total * perSecond;
      throughput.peakOutputTokensPerSecond = peak(series.outputTokens);
      if (tokens?.input) {
        throughput.inputTokensPerSecond = tokens.input.totalInputTokens * perSecond;
        throughput.totalTokensPerSecond = (tokens.input.totalInputTokens + this.tokens.total) * perSecond;
      }
    } else if (family === 'frames') {
      const frames = (series.frames ?? []).reduce((a, b) => a + b, 0);
      throughput.framesPerSecond = frames * perSecond;
      throughput.peakFramesPerSecond = peak(series.frames);
    }
    const result: PhaseResult = {
      family,
      streamed: this.family.streamed,
      ...(this.family.inProcess ? { inProcess: true } : {}),
      startedAtEpochMs: this.startedAtEpochMs,
      firstStartOffsetMs: spanned ? this.firstStartMs : 0,
      durationMs,
      counts: {
        // A runner that never calls noteSent still reports at least the requests that ended.
        sent: Math.max(this.sent, this.completed),
        completed: this.completed,
        ok: this.ok,
        failed: this.failed,
        dropped: this.dropped,
        byOutcome: { ...this.byOutcome },
        byStatus: Object.fromEntries([...this.byStatus].sort(([a], [b]) => a.localeCompare(b))),
        errors: [...this.errors]
          .sort(([ma, a], [mb, b]) => b - a || ma.localeCompare(mb))
          .slice(0, TOP_ERRORS)
          .map(([message, count]) => ({ message, count })),
      },
      metrics,
      throughput,
      concurrency: { mean: durationMs > 0 ? this.busyMs / durationMs : 0, max: this.maxInFlight },
      ...(tokens ? { tokens } : {}),
      series,
      clientHealth,
    };
    const subSecond = this.subSecond.toResult(durationMs, this.family.family === 'text');
    if (subSecond) result.subSecond = subSecond;
    if (this.completed > 0) result.calls = this.calls.toResult();
    const audio = this.audio.toResult(durationMs);
    if (audio) result.audio = audio;
    if (this.goodput) result.goodput = this.goodput.toResult(durationMs);
    return result;
  }
}

class TokenTotals {
  total = 0;
  private usage?: number;
  private tokenizer?: number;
  private events?: number;
  private estimated = 0;
  private sources = new Set<OutputTokenSource | 'mixed'>();
  private inputTotal = 0;
  private inputUsage?: number;
  private inputTokenizer?: number;
  private inputSources = new Set<InputTokenSource | 'mixed'>();

  addInput(source: InputTokenSource, count: number, usage?: number, tokenizer?: number): void {
    if (source === 'none') return;
    this.inputSources.add(source);
    this.inputTotal += count;
    if (usage !== undefined) this.inputUsage = (this.inputUsage ?? 0) + usage;
    if (tokenizer !== undefined) this.inputTokenizer = (this.inputTokenizer ?? 0) + tokenizer;
  }

  add(source: OutputTokenSource, count: number, usage?: number, tokenizer?: number, events?: number, estimatedAnswers = 0): void {
    if (source !== 'none') this.sources.add(source);
    this.total += count;
    if (usage !== undefined) this.usage = (this.usage ?? 0) + usage;
    if (tokenizer !== undefined) this.tokenizer = (this.tokenizer ?? 0) + tokenizer;
    if (events !== undefined) this.events = (this.events ?? 0) + events;
    this.estimated += estimatedAnswers;
  }

  merge(t: TokenAccounting): void {
    this.add(t.source === 'mixed' ? 'none' : t.source, t.totalOutputTokens, t.usageTotal, t.tokenizerTotal, t.eventsTotal, t.tokenizerEstimatedAnswers ?? 0);
    if (t.source === 'mixed') this.sources.add('mixed');
    const i = t.input;
    if (i) {
      this.inputSources.add(i.source);
      this.inputTotal += i.totalInputTokens;
      if (i.usageTotal !== undefined) this.inputUsage = (this.inputUsage ?? 0) + i.usageTotal;
      if (i.tokenizerTotal !== undefined) this.inputTokenizer = (this.inputTokenizer ?? 0) + i.tokenizerTotal;
    }
  }

  toResult(): TokenAccounting {
    const source: TokenAccounting['source'] =
      this.sources.size === 0 ? 'none' : this.sources.size > 1 || this.sources.has('mixed') ? 'mixed' : [...this.sources][0]!;
    const out: TokenAccounting = { source, totalOutputTokens: this.total };
    if (this.usage !== undefined) out.usageTotal = this.usage;
    if (this.tokenizer !== undefined) {
      out.tokenizerTotal = this.tokenizer;
      // The cap is part of what the tokenizer total means.
      out.tokenizerCapChars = TOKENIZER_CAP_CHARS;
      out.tokenizerEstimatedAnswers = this.estimated;
    }
    if (this.events !== undefined) out.eventsTotal = this.events;
    if (this.inputSources.size > 0) {
      const input: InputTokenAccounting = {
        source: this.inputSources.size > 1 || this.inputSources.has('mixed') ? 'mixed' : ([...this.inputSources][0] as 'usage' | 'tokenizer'),
        totalInputTokens: this.inputTotal,
      };
      if (this.inputUsage !== undefined) input.usageTotal = this.inputUsage;
      if (this.inputTokenizer !== undefined) input.tokenizerTotal = this.inputTokenizer;
      out.input = input;
    }
    return out;
  }
}

type CountSeries = 'sent' | 'ok' | 'errors' | 'inFlightMax' | FamilySeries;
type FamilySeries = 'outputTokens' | 'frames' | 'audioSeconds';
/** The per-second throughput series each family has. */
const FAMILY_SERIES: readonly FamilySeries[] = ['outputTokens', 'frames', 'audioSeconds'];
const SERIES_OF_FAMILY: Partial<Record<MetricFamily, FamilySeries>> = { text: 'outputTokens', frames: 'frames', audio: 'audioSeconds' };

class Series {
  private readonly counts: Record<CountSeries, number[]> = { sent: [], ok: [], errors: [], inFlightMax: [], outputTokens: [], frames: [], audioSeconds: [] };
  readonly latency = new PerSecondHistograms();
  readonly ttft = new PerSecondHistograms();
  readonly itl = new PerSecondHistograms();

  add(name: CountSeries, sec: number, n: number): void {
    const a = this.counts[name];
    while (a.length <= sec) a.push(0);
    a[sec]! += n;
  }

  max(name: CountSeries, sec: number, n: number): void {
    const a = this.counts[name];
    while (a.length <= sec) a.push(0);
    a[sec] = Math.max(a[sec]!, n);
  }

  toResult(family: MetricFamily): PhaseResult['series'] {
    const c = this.counts;
    const own = SERIES_OF_FAMILY[family];
    const length = Math.max(c.sent.length, c.ok.length, c.errors.length, c.inFlightMax.length, own ? c[own].length : 0, this.latency.length, this.ttft.length, this.itl.length);
    const pad = (a: number[]) => [...a, ...new Array<number>(length - a.length).fill(0)];
    const latency = this.latency.toSeries(length);
    const out: PhaseResult['series'] = {
      sent: pad(c.sent),
      ok: pad(c.ok),
      errors: pad(c.errors),
      inFlightMax: pad(c.inFlightMax),
      latencyP50: latency.p50,
      latencyP99: latency.p99,
      latencyHistograms: latency.histograms,
    };
    if (own) out[own] = pad(c[own]);
    // Only text streams have first tokens and gaps.
    if (this.ttft.length > 0) {
      const ttft = this.ttft.toSeries(length);
      Object.assign(out, { ttftP50: ttft.p50, ttftP99: ttft.p99, ttftHistograms: ttft.histograms });
    }
    if (this.itl.length > 0) {
      const itl = this.itl.toSeries(length);
      Object.assign(out, { itlP50: itl.p50, itlP99: itl.p99, itlHistograms: itl.histograms });
    }
    return out;
  }
}

/**
 * One small histogram of milliseconds (2 significant digits) per second of the phase: latency,
 * TTFT, ITL. Values arrive roughly in time order, so seconds well behind the newest are kept
 * only encoded (a few hundred bytes) and decoded again if a late value lands in them.
 */
class PerSecondHistograms {
  private live = new Map<number, MetricHistogram>();
  private encoded: (string | null)[] = [];
  private newest = -1;

  get length(): number {
    return Math.max(this.encoded.length, this.newest + 1);
  }

  record(sec: number, valueMs: number): void {
    this.at(sec).record(valueMs);
  }

  /** p50, p99 and the encoded histogram of each second (null where nothing landed). */
  toSeries(length: number): { p50: (number | null)[]; p99: (number | null)[]; histograms: (string | null)[] } {
    const out = { p50: [] as (number | null)[], p99: [] as (number | null)[], histograms: [] as (string | null)[] };
    for (let sec = 0; sec < length; sec++) {
      const h = this.get(sec);
      out.p50.push(h ? h.percentile(50) : null);
      out.p99.push(h ? h.percentile(99) : null);
      out.histograms.push(h ? h.encode() : null);
    }
    return out;
  }

  addEncoded(sec: number, base64: string): void {
    this.at(sec).add(MetricHistogram.decode(base64, LATENCY_SCALE));
  }

  get(sec: number): MetricHistogram | undefined {
    const live = this.live.get(sec);
    if (live) return live;
    const b64 = this.encoded[sec];
    return b64 ? MetricHistogram.decode(b64, LATENCY_SCALE) : undefined;
  }

  private at(sec: number): MetricHistogram {
    let h = this.live.get(sec);
    if (!h) {
      const b64 = this.encoded[sec];
      h = b64 ? MetricHistogram.decode(b64, LATENCY_SCALE) : new MetricHistogram(LATENCY_SCALE, 2);
      if (b64) this.encoded[sec] = null;
      this.live.set(sec, h);
    }
    if (sec > this.newest) {
      this.newest = sec;
      this.compact();
    }
    return h;
  }

  private compact(): void {
    for (const [sec, h] of this.live) {
      if (sec >= this.newest - LIVE_SECONDS) continue;
      while (this.encoded.length <= sec) this.encoded.push(null);
      this.encoded[sec] = h.encode();
      this.live.delete(sec);
    }
  }
}

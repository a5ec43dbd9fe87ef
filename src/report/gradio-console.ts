/**
 * Console output in the style of the HF Space team's own benchmark script: with `--verbose`, a
 * block per run (`RUN i/N`) with the final text or a preview and the four timings; always,
 * for Gradio, the summary of submit / first event / stream time / total with average, min,
 * max and percentiles and `Successful runs: k/N`. `--debug post|sse|text` prints the POST
 * answers, each raw stream line with its arrival time, and the final text. The writer it is
 * given redacts (the CLI's stderr passes results/redacting-sinks.ts).
 */
import { nowMs } from '../model/clock.js';
import type { Timeline } from '../model/timeline.js';
import type { PhaseName, ProtocolDebugSink } from '../model/progress.js';
import type { FamilyOf } from '../model/metrics.js';
import type { MetricResult, Results } from '../model/results.js';

export const DEBUG_SWITCHES = ['post', 'sse', 'text'] as const;
export type DebugSwitch = (typeof DEBUG_SWITCHES)[number];

export interface RunConsoleOptions {
  verbose: boolean;
  debug: ReadonlySet<DebugSwitch>;
  /** What the target answers with: the per-request block shows that family's timings. */
  family: FamilyOf;
  /** Answers should carry text: an ok answer without any gets a warning naming `textHint`. */
  textual: boolean;
  textHint?: string;
  /** Measured requests planned, for `RUN i/N` (undefined when the run is bounded by time). */
  plannedRequests?: number;
  /** Printed first with --verbose (the HF Space script's header with the prompts). */
  header?: string;
  write: (text: string) => void;
}

const HEAVY = '='.repeat(80);
const LIGHT = '─'.repeat(80);
const PREVIEW_CHARS = 80;

const seconds = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '-' : `${(ms / 1000).toFixed(3)}s`);

/** The seed's four timings, from one request's timeline. */
export function runTimings(t: Timeline) {
  const firstContent = t.content[0]?.atMs;
  const lastContent = t.content.at(-1)?.atMs;
  return {
    submitMs: t.submittedMs !== undefined ? t.submittedMs - t.sentMs : undefined,
    firstEventMs: t.firstEventMs !== undefined ? t.firstEventMs - t.sentMs : undefined,
    streamTimeMs: lastContent !== undefined ? lastContent - (t.firstEventMs ?? firstContent!) : undefined,
    totalMs: t.endMs - t.sentMs,
  };
}

/** One run's block: output, timings, events and a preview (or why it failed, or that no text came). */
export function formatRunBlock(t: Timeline, label: string, showFullText: boolean, family: FamilyOf = { family: 'text', streamed: true }): string {
  const lines = [LIGHT, label, LIGHT];
  if (t.outcome !== 'ok') {
    lines.push(`✗ Failed (${t.outcome}): ${t.error ?? 'no message'}`);
    // What it got before failing, as the HF Space script prints it.
    const timing = runTimings(t);
    if (timing.submitMs !== undefined) lines.push(`  Queue submit time:    ${seconds(timing.submitMs)}`);
    if (timing.firstEventMs !== undefined) lines.push(`  Time to first event: ${seconds(timing.firstEventMs)}`);
    if (timing.streamTimeMs !== undefined) lines.push(`  Stream time:         ${seconds(timing.streamTimeMs)}`);
    lines.push(`  Failed after:        ${seconds(timing.totalMs)}`);
    if (t.streamEvents !== undefined || t.heartbeats !== undefined) lines.push(`  ${eventsLine(t)}`);
    if (t.text) lines.push(`  Output so far:       ${preview(t.text)}`);
    return lines.join('\n');
  }
  if (family.family !== 'text') return [...lines, ...familyTimings(t, family)].join('\n');
  if (showFullText && t.text) lines.push(HEAVY, 'FINAL MODEL OUTPUT:', HEAVY, t.text, HEAVY, '');
  const timing = runTimings(t);
  if (timing.submitMs !== undefined) lines.push(`✓ Queue submit time:    ${seconds(timing.submitMs)}`);
  lines.push(
    `✓ Time to first event: ${seconds(timing.firstEventMs)}`,
    `✓ Stream time:         ${seconds(timing.streamTimeMs)}`,
    `✓ Total time:          ${seconds(timing.totalMs)}`,
    `✓ Content events:      ${t.content.length}`,
  );
  if (t.streamEvents !== undefined || t.heartbeats !== undefined) lines.push(`✓ ${eventsLine(t)}`);
  if (t.text) lines.push(`✓ Output preview:      ${preview(t.text)}`);
  if (t.text && t.textChars !== undefined && t.textChars > t.text.length) lines.push(`  (an answer of ${t.textChars} characters; the first ${t.text.length} were kept: --debug text keeps whole answers)`);
  return lines.join('\n');
}

/** A non-text request's block: audio (ttfc, audio received, rtf), frames (frames, frame latency) or a unary answer. */
function familyTimings(t: Timeline, family: FamilyOf): string[] {
  const total = `✓ Total time:          ${seconds(t.endMs - t.sentMs)}`;
  const x = t.extra;
  if (family.family === 'audio') {
    return [
      `✓ Time to first audio: ${seconds(x.ttfc)}`,
      `✓ Audio received:      ${x.audio_seconds !== undefined ? `${x.audio_seconds.toFixed(3)}s` : '-'}${t.sampleRateHz ? ` at ${t.sampleRateHz} Hz` : ''}`,
      `✓ Real-time factor:    ${x.rtf !== undefined ? x.rtf.toFixed(3) : '-'}`,
      total,
      `✓ Audio chunks:        ${x.audio_chunks_count ?? 0}${x.stall_count ? ` (${x.stall_count} stalls, ${seconds(x.stall_ms)} silent)` : ''}`,
    ];
  }
  if (family.family === 'frames') {
    return [`✓ Frames:              ${x.frames_count ?? 0}`, `✓ Frame latency:       ${seconds(x.frame_latency)}`, total];
  }
  const lines = [`✓ Status:              ${t.status ?? '-'}`, `✓ Time to first byte:  ${seconds(t.firstByteMs !== undefined ? t.firstByteMs - t.sentMs : undefined)}`, total, `✓ Bytes received:      ${t.bytesIn}`];
  if (t.bodyPreview) lines.push(`✓ Body preview:        ${preview(t.bodyPreview)}`);
  return lines;
}

/** "SSE events received: 15 (+2 heartbeats)": every data event of the request, heartbeats apart. */
function eventsLine(t: Timeline): string {
  return `SSE events received:  ${t.streamEvents ?? 0}${t.heartbeats ? ` (+${t.heartbeats} heartbeat${t.heartbeats > 1 ? 's' : ''})` : ''}`;
}

/** The HF Space script's header: how many runs, and the prompts (the string inputs sent). */
export function formatRunHeader(plannedRequests: number | undefined, inputs: unknown): string {
  const lines = [HEAVY, `BENCHMARK: Running ${plannedRequests ?? 'a timed number of'} iteration(s)`, HEAVY];
  const list = Array.isArray(inputs) ? inputs : [];
  const names = ['System prompt', 'User prompt'];
  const texts = list.filter((v): v is string => typeof v === 'string');
  texts.forEach((text, i) => lines.push(`${(texts.length === 2 ? names[i]! : `Input ${i + 1}`).concat(':').padEnd(15)}${preview(text)}`));
  lines.push(HEAVY, '');
  return lines.join('\n');
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}...` : flat;
}

/** Why a successful request gave no text, and which switches show where the text is. */
export function noTextWarning(t: Timeline, textHint = '--debug sse to see the raw events'): string {
  return `⚠ Request ${t.index}: no model output extracted. Use ${textHint}.`;
}

/** The summary block: per metric average, min, max and percentiles, and the success count. */
export function formatSeedSummary(results: Results): string {
  const lines = ['', HEAVY, 'BENCHMARK SUMMARY', HEAVY];
  for (const point of results.points) {
    const m = point.measure;
    if (results.points.length > 1) lines.push(`[${point.label}]`);
    lines.push(`Successful runs: ${m.counts.ok}/${m.counts.completed}`);
    const shown: [string, string][] = [
      ['submit', 'Queue Submit Time'],
      ['first_event', 'Time to First Event'],
      ['ttft', 'Time to First Token'],
      ['stream_time', 'Stream Time'],
      ['latency', 'Total Time'],
    ];
    for (const [name, title] of shown) {
      const metric = m.metrics[name];
      if (metric) lines.push('', `${title}:`, ...summaryLines(metric));
    }
    const speed = m.metrics.chars_per_s;
    if (speed) lines.push('', `Streaming speed: ${speed.summary.mean.toFixed(1)} chars/s average`);
  }
  lines.push('', HEAVY);
  return lines.join('\n');
}

function summaryLines(metric: MetricResult): string[] {
  const s = metric.summary;
  return [
    `  Average: ${seconds(s.mean)}`,
    `  Minimum: ${seconds(s.min)}`,
    `  Maximum: ${seconds(s.max)}`,
    `  p50: ${seconds(s.p50)}  p90: ${seconds(s.p90)}  p95: ${seconds(s.p95)}  p99: ${seconds(s.p99)}`,
  ];
}

/** The runner hooks (`onRequest`, `debug`) that print as the run goes. */
export function createRunConsole(options: RunConsoleOptions): { onRequest: (t: Timeline, phase: PhaseName) => void; debug?: ProtocolDebugSink } {
  const { write } = options;
  const startMs = nowMs();
  const counts: Record<PhaseName, number> = { warmup: 0, measure: 0 };
  if (options.verbose && options.header) write(options.header + '\n');
  const at = (atMs: number) => `+${((atMs - startMs) / 1000).toFixed(3)}s`;
  const debug: ProtocolDebugSink = {};
  if (options.debug.has('post')) {
    debug.response = (index, what, body, atMs) => write(`[debug post] ${at(atMs)} request ${index}: ${what}\n${body}\n`);
  }
  if (options.debug.has('sse')) {
    debug.streamLine = (index, line, atMs) => write(`[debug sse] ${at(atMs)} ${index < 0 ? 'session' : `request ${index}`}: ${line}\n`);
  }
  return {
    debug: debug.response || debug.streamLine ? debug : undefined,
    onRequest(t, phase) {
      const n = ++counts[phase];
      const label = phase === 'warmup' ? `WARMUP ${n}` : `RUN ${n}${options.plannedRequests ? `/${options.plannedRequests}` : ''}`;
      if (options.verbose) write(formatRunBlock(t, label, options.debug.has('text'), options.family) + '\n');
      else if (options.debug.has('text') && t.text !== undefined) write(`[debug text] ${label}:\n${t.text}\n`);
      if (options.textual && t.outcome === 'ok' && !t.text) write(noTextWarning(t, options.textHint) + '\n');
    },
  };
}

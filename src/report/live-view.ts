import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { LiveSnapshot, LiveStats } from '../live/live-stats.js';
import type { FamilyOf, MetricFamily } from '../model/metrics.js';
import { FAMILY_VIEWS } from './family-view.js';
import { fmt } from './console.js';

/**
 * What a person watches while a run goes. On a terminal: a block of lines redrawn a few times
 * a second (log-update), cursor hidden and restored on exit and Ctrl+C. Elsewhere (CI logs,
 * pipes): one plain line every few seconds.
 */

const BAR_WIDTH = 24;

/** How a family's output is counted per second, shown beside req/s. */
const OUTPUT_RATE_OF_FAMILY: Record<MetricFamily, { unit: string } | undefined> = {
  text: { unit: 'tok/s' },
  audio: { unit: 'audio s/s' },
  frames: { unit: 'fps' },
  unary: undefined,
};

/** The metrics the live view shows p50/p99 of: the family's distributions, the family's own first and latency last. */
export function liveKeyMetrics(of: FamilyOf): string[] {
  const own = FAMILY_VIEWS[of.family].distributions.filter((m) => m !== 'latency');
  const more = of.family === 'text' && of.streamed ? ['tpot'] : [];
  return [...own, ...more, 'latency'];
}

/** A duration for people: 850 ms, 12.3 s, 4m05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${fmt(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function metricValue(value: number, unit: string): string {
  return unit === 'ms' ? formatDuration(value) : `${fmt(value)}${unit === 'ratio' ? '' : ` ${unit}`}`;
}

/** Throughput in the family's own unit (tok/s, fps, audio s/s), beside req/s. */
function rates(s: LiveSnapshot): string {
  const out = [`${fmt(s.requestsPerSecond)} req/s`];
  const family = OUTPUT_RATE_OF_FAMILY[s.family.family];
  if (family) {
    const value = s.family.family === 'text' ? s.outputPerSecond.tokens : s.family.family === 'audio' ? s.outputPerSecond.audioSeconds : s.outputPerSecond.frames;
    out.push(`${fmt(value)} ${family.unit}`);
  }
  return out.join(' · ');
}

function progressOf(s: LiveSnapshot): { text: string; share?: number } {
  if (s.total !== undefined) return { text: `${s.done}/${s.total} done`, share: s.total ? s.done / s.total : 1 };
  if (s.durationMs !== undefined) return { text: `${s.done} done, ${formatDuration(s.elapsedMs)} of ${formatDuration(s.durationMs)}`, share: s.durationMs ? Math.min(1, s.elapsedMs / s.durationMs) : 1 };
  return { text: `${s.done} done` };
}

function errors(s: LiveSnapshot): string {
  const kinds = Object.entries(s.errorsByKind).sort((a, b) => b[1] - a[1]);
  return s.failed ? `${s.failed} failed (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : '0 failed';
}

function clientFlag(s: LiveSnapshot): string {
  if (s.client.healthy) return `client   ok (thread busy ${Math.round(s.client.threadBusyShare * 100)}%, event loop p99 ${fmt(s.client.eventLoopP99Ms)} ms)`;
  return `client   BUSY: ${s.client.reasons.join(', ')}; timings include the client's own delays`;
}

/** The live view's lines for one snapshot. */
export function formatLiveView(s: LiveSnapshot, columns = 80): string {
  const where = `${s.phase} · ${s.point}${s.pointNumber > 1 ? ` (point ${s.pointNumber})` : ''}`;
  if (s.phase === 'cooldown') return clip([`inferbench · ${where} ${s.durationMs !== undefined ? formatDuration(s.durationMs) : ''}`], columns);
  const progress = progressOf(s);
  const eta = s.etaMs !== undefined ? `ETA ${formatDuration(s.etaMs)}` : 'ETA -';
  const filled = progress.share === undefined ? 0 : Math.round(progress.share * BAR_WIDTH);
  const bar = progress.share === undefined ? '' : `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${Math.floor(progress.share * 100)}%  `;
  const lines = [
    `inferbench · ${where} · ${formatDuration(s.elapsedMs)} · ${eta}`,
    `  ${bar}${progress.text} · ${s.inFlight} in flight`,
    `  now      ${rates(s)} (last ${s.windowSeconds.toFixed(1)} s)`,
  ];
  const width = Math.max(0, ...s.keyMetrics.map((m) => m.name.length));
  for (const m of s.keyMetrics) lines.push(`  ${m.name.padEnd(Math.max(width, 7))}  p50 ${metricValue(m.p50, m.unit).padEnd(10)} p99 ${metricValue(m.p99, m.unit)}`);
  if (!s.keyMetrics.length) lines.push('  (no request finished in the last seconds)');
  lines.push(`  errors   ${errors(s)}`);
  lines.push(`  ${clientFlag(s)}`);
  return clip(lines, columns);
}

/** One line for logs: the same numbers as the live view. */
export function formatProgressLine(s: LiveSnapshot): string {
  const where = `${s.phase} ${s.point}`;
  if (s.phase === 'cooldown') return `[${formatDuration(s.elapsedMs)}] ${where}`;
  const eta = s.etaMs !== undefined ? `, ETA ${formatDuration(s.etaMs)}` : '';
  const metrics = s.keyMetrics.map((m) => `${m.name} p50 ${metricValue(m.p50, m.unit)} p99 ${metricValue(m.p99, m.unit)}`).join(', ');
  // Failures are named only when there are some: a log line saying "0 failed" reads like trouble to grep.
  return `[${formatDuration(s.elapsedMs)}] ${where}: ${progressOf(s).text}${eta}, ${rates(s)}${metrics ? `, ${metrics}` : ''}${s.failed ? `, ${errors(s)}` : ''}, ${s.inFlight} in flight, ${s.client.healthy ? 'client ok' : `client BUSY (${s.client.reasons.join(', ')})`}`;
}

function clip(lines: string[], columns: number): string {
  // Wider than the terminal, a line wraps and the redraw erases the wrong rows.
  return lines.map((l) => ([...l].length > columns - 1 ? [...l].slice(0, Math.max(1, columns - 2)).join('') + '…' : l)).join('\n');
}

export interface LiveDisplay {
  /** A message that stays above the live view (Ctrl+C notices). */
  note(text: string): void;
  /** Stops redrawing and clears the view (the summary follows); the cursor is shown again. */
  stop(): void;
}

export interface LiveDisplayOptions {
  /** Redraws per second on a terminal. */
  refreshPerSecond?: number;
  /** Plain progress lines (no terminal): one every this many ms. */
  plainIntervalMs?: number;
}

/** Watches this thread's event-loop delay and busy share between reads: the live client-health flag. */
export function eventLoopWatch(): { sample: () => { eventLoopP99Ms: number; threadBusyShare: number }; stop: () => void } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let elu = performance.eventLoopUtilization();
  return {
    sample: () => {
      const eventLoopP99Ms = h.count > 0 ? h.percentile(99) / 1e6 : 0;
      h.reset();
      const since = performance.eventLoopUtilization(elu);
      elu = performance.eventLoopUtilization();
      return { eventLoopP99Ms, threadBusyShare: since.utilization };
    },
    stop: () => h.disable(),
  };
}

/** Starts the live view on a terminal, plain lines elsewhere. */
export async function startLiveDisplay(stream: NodeJS.WriteStream, stats: LiveStats, opts: LiveDisplayOptions = {}): Promise<LiveDisplay> {
  if (!stream.isTTY) {
    const timer = setInterval(() => {
      const s = stats.current();
      if (s) stream.write(`${formatProgressLine(s)}\n`);
    }, opts.plainIntervalMs ?? 5000);
    timer.unref();
    return { note: (text) => stream.write(`${text}\n`), stop: () => clearInterval(timer) };
  }
  // log-update loads only on a terminal.
  const { createLogUpdate } = await import('log-update');
  const view = createLogUpdate(stream, { showCursor: false });
  const draw = () => {
    const s = stats.current();
    if (s) view(formatLiveView(s, stream.columns || 80));
  };
  const timer = setInterval(draw, 1000 / (opts.refreshPerSecond ?? 4));
  timer.unref();
  let stopped = false;
  return {
    note: (text) => {
      view.clear();
      stream.write(`${text}\n`);
      draw();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      view.clear();
      view.done();
    },
  };
}

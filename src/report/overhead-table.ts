import type { OverheadReport } from '../model/overhead.js';
import { fmt, table } from './console.js';

const MODE_TITLE: Record<string, string> = { generate: 'generate()', stream: 'stream() (sync callback)', streamAsync: 'streamAsync() (async iterator)', predict: 'predict()' };

/** The seed's expected-results block, then the full table. */
export function formatOverheadReport(r: OverheadReport): string {
  const lines: string[] = [];
  const title = (name: string, i: number) => `${MODE_TITLE[name] ?? name}${i === 0 ? ' (baseline)' : ''}:`;
  const width = Math.max(...r.modes.map((m, i) => title(m.name, i).length)) + 1;
  const ci = `${Math.round(r.confidence * 100)}% CI`;
  for (const [i, m] of r.modes.entries()) {
    const tokens = m.tokens !== undefined ? `${count(m.tokens)} tokens` : 'a call';
    const rate = m.tokensPerSecond !== undefined ? ` (${fmt(m.tokensPerSecond)} tok/s)` : '';
    const over = m.overhead ? ` [${sign(m.overhead.percent)}% overhead, ${ci} ${sign(m.overhead.lowPercent)}%..${sign(m.overhead.highPercent)}%]` : '';
    lines.push(`${title(m.name, i).padEnd(width)} ${tokens} in ${fmtMs(m.medianMs)}${rate}${over}`);
  }
  lines.push('');
  const rows = r.modes.map((m) => [
    m.name,
    String(m.calls),
    m.tokens !== undefined ? count(m.tokens) : '-',
    fmt(m.medianMs),
    m.tokensPerSecond !== undefined ? fmt(m.tokensPerSecond) : '-',
    m.msPerToken !== undefined ? fmt(m.msPerToken) : '-',
    m.overhead ? `${sign(m.overhead.percent)}% [${sign(m.overhead.lowPercent)}, ${sign(m.overhead.highPercent)}]` : 'baseline',
    m.overhead?.perTokenMs !== undefined ? `${sign(m.overhead.perTokenMs, 4)} [${sign(m.overhead.perTokenLowMs!, 4)}, ${sign(m.overhead.perTokenHighMs!, 4)}]` : '-',
    m.overhead ? m.overhead.pValue.toPrecision(2) : '-',
    `${fmt(m.callbackMs)} (${(100 * m.callbackShare).toFixed(1)}%)`,
    mib(m.heapPeakBytes),
    mib(m.rssPeakBytes),
  ]);
  lines.push(
    ...table(['mode', 'calls', 'tokens', 'median ms', 'tok/s', 'ms/token', `overhead % [${ci}]`, `added ms/token [${ci}]`, 'p (MWU)', 'callback ms', 'peak heap MiB', 'peak RSS MiB'], rows),
  );
  lines.push(
    '',
    `${r.rounds} rounds per mode, interleaved in a fresh seeded order each round, after ${r.warmup} warmup calls each; ${r.gcBetweenCalls ? 'a GC ran before every call (--expose-gc)' : 'no forced GC (run node with --expose-gc to collect before each call)'}.`,
    'Overhead compares medians; the interval is a percentile bootstrap. Peaks are sampled every 5 ms and at call start/end.',
  );
  return lines.join('\n');
}

function sign(v: number, digits = 2): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}
function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${fmt(ms)} ms`;
}
function count(n: number): string {
  return Number.isInteger(n) ? String(n) : fmt(n);
}
function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

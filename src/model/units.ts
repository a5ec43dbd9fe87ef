import type { MetricUnit } from './metrics.js';

/**
 * The one unit table: what a user may write after a number (`500ms`, `2min`, `1%`, `16GB`,
 * `20 frames/s`), what each means, and how a value in a metric's unit is printed. Conditions
 * (thresholds, SLOs, targets, capacity, compare, overhead), scenario durations and the
 * reference server's timing flags all read it, so `2m` or `1.5s` means the same everywhere.
 */

/** What a quantity measures; a written unit fits a metric only when both have the same dimension. */
export type Dimension = 'time' | 'fraction' | 'bytes' | 'tokens' | 'count' | 'tokens/s' | 'requests/s' | 'frames/s' | 'chars/s';

/** A unit as written: its dimension and how many of the dimension's base units one of it is. */
export interface WrittenUnit {
  /** The canonical spelling (what messages print): `ms`, `GB`, `tokens/s`. */
  name: string;
  dimension: Dimension;
  /** Base units per one of this: time in ms, bytes in bytes, fractions as 0..1, rates per second. */
  factor: number;
}

const unit = (name: string, dimension: Dimension, factor: number, ...aliases: string[]): [string, WrittenUnit][] =>
  [name, ...aliases].map((spelling) => [spelling, { name, dimension, factor }]);

/** Every unit a user may write, by spelling. Byte units are matched case-insensitively (`16gb`). */
const WRITTEN_UNITS = new Map<string, WrittenUnit>([
  ...unit('us', 'time', 0.001, 'µs'),
  ...unit('ms', 'time', 1),
  ...unit('s', 'time', 1000, 'sec'),
  ...unit('min', 'time', 60_000, 'm'),
  ...unit('h', 'time', 3_600_000),
  ...unit('%', 'fraction', 0.01),
  ...unit('B', 'bytes', 1),
  ...unit('KB', 'bytes', 1e3),
  ...unit('MB', 'bytes', 1e6),
  ...unit('GB', 'bytes', 1e9),
  ...unit('TB', 'bytes', 1e12),
  ...unit('KiB', 'bytes', 2 ** 10),
  ...unit('MiB', 'bytes', 2 ** 20),
  ...unit('GiB', 'bytes', 2 ** 30),
  ...unit('tokens', 'tokens', 1, 'tok', 'token'),
  ...unit('tokens/s', 'tokens/s', 1, 'tok/s'),
  ...unit('req/s', 'requests/s', 1, 'requests/s', 'rps'),
  ...unit('frames/s', 'frames/s', 1, 'fps'),
  ...unit('chars/s', 'chars/s', 1),
]);
const BYTE_UNITS = new Map([...WRITTEN_UNITS].filter(([, u]) => u.dimension === 'bytes').map(([k, u]) => [k.toLowerCase(), u]));

/** What each metric unit measures, and how many base units one of it is (`s` metrics are times in seconds). */
export const METRIC_UNIT_DIMENSION: Record<MetricUnit, { dimension: Dimension; factor: number }> = {
  ms: { dimension: 'time', factor: 1 },
  s: { dimension: 'time', factor: 1000 },
  ratio: { dimension: 'fraction', factor: 1 },
  bytes: { dimension: 'bytes', factor: 1 },
  tokens: { dimension: 'tokens', factor: 1 },
  count: { dimension: 'count', factor: 1 },
  'tokens/s': { dimension: 'tokens/s', factor: 1 },
  'requests/s': { dimension: 'requests/s', factor: 1 },
  'frames/s': { dimension: 'frames/s', factor: 1 },
  'chars/s': { dimension: 'chars/s', factor: 1 },
};

const PER_SECOND: ReadonlySet<Dimension> = new Set(['tokens/s', 'requests/s', 'frames/s', 'chars/s']);

/** The spelling a unit is looked up by; undefined when it is not a unit. `/s` is any rate's own unit. */
export function writtenUnit(spelling: string): WrittenUnit | undefined {
  return WRITTEN_UNITS.get(spelling) ?? BYTE_UNITS.get(spelling.toLowerCase());
}

/** The units that fit a dimension, for "use ms, s or min" hints. */
export function unitsOf(dimension: Dimension): string[] {
  const names = [...new Set([...WRITTEN_UNITS.values()].filter((u) => u.dimension === dimension).map((u) => u.name))];
  if (PER_SECOND.has(dimension)) names.push('/s');
  return names;
}

/** How a bare number (no unit) reads: as the metric's own unit, or not at all (times and sizes must say theirs). */
export function bareNumberFits(dimension: Dimension): boolean {
  return dimension !== 'time' && dimension !== 'bytes';
}

/**
 * A written value converted into a metric's unit (`2min` for a metric in ms → 120000, `16GB`
 * for bytes → 1.6e10, `1%` for a ratio → 0.01), or the reason it does not fit.
 */
export function convertToMetricUnit(value: number, spelling: string, to: MetricUnit): { value: number } | { problem: string } {
  const target = METRIC_UNIT_DIMENSION[to];
  const hint = () => {
    const fits = unitsOf(target.dimension);
    return bareNumberFits(target.dimension) ? `a plain number${fits.length ? ` or ${fits.join(', ')}` : ''}` : fits.join(', ');
  };
  if (spelling === '') {
    if (bareNumberFits(target.dimension)) return { value };
    return { problem: `give a unit (${hint()}): a bare number is ambiguous for ${describeDimension(target.dimension)}` };
  }
  if (spelling === '/s') {
    if (PER_SECOND.has(target.dimension)) return { value };
    return { problem: `unit "/s" does not fit ${describeDimension(target.dimension)}; use ${hint()}` };
  }
  const written = writtenUnit(spelling);
  if (!written) return { problem: `unknown unit "${spelling}"; use ${hint()}` };
  if (written.dimension !== target.dimension) return { problem: `unit "${spelling}" (${describeDimension(written.dimension)}) does not fit ${describeDimension(target.dimension)}; use ${hint()}` };
  return { value: (value * written.factor) / target.factor };
}

function describeDimension(d: Dimension): string {
  switch (d) {
    case 'time':
      return 'a time';
    case 'fraction':
      return 'a ratio';
    case 'bytes':
      return 'a size';
    case 'tokens':
      return 'a number of tokens';
    case 'count':
      return 'a count';
    default:
      return `a rate in ${d}`;
  }
}

/**
 * A duration in milliseconds, from `"200ms"`, `"1.5s"`, `"2min"`/`"2m"`, `"1h"`, `"250us"` or a number.
 * What a bare number means is the caller's rule, named here so it is never a surprise:
 * `seconds` for scenario fields and run flags (`duration: 30`, `--timeout 30`, as they always were),
 * `reject` for the reference server's timing flags (where `--ttft 200` would be a trap), which still
 * accept a bare `0`.
 */
export function parseDurationMs(input: string | number, bareNumber: 'seconds' | 'reject'): number | undefined {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return undefined;
    if (bareNumber === 'reject' && input !== 0) return undefined;
    return input * 1000;
  }
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zµ]*)\s*$/i.exec(input);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === '') return bareNumber === 'seconds' ? n * 1000 : n === 0 ? 0 : undefined;
  const u = writtenUnit(m[2]!);
  return u?.dimension === 'time' ? n * u.factor : undefined;
}

export const DURATION_HINT = 'a duration like "500ms", "30s", "2min" (or "2m"), "1h", or a number of seconds';

/** Significant digits for humans: 1234, 123.4, 12.34, 0.123. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/**
 * A value in a metric's unit, printed for people: `431 ms`, `2.30%`, `14.7 GB`, `55.6 tokens/s`.
 * `as` is the unit the user wrote (a condition's bound): the value is shown in it when it fits,
 * so `vram<16GB` reads back in GB and `p95(ttft)<2min` in min.
 */
export function formatValue(value: number, metricUnit: MetricUnit, as?: string): string {
  if (!Number.isFinite(value)) return '-';
  const own = METRIC_UNIT_DIMENSION[metricUnit];
  const written = as ? writtenUnit(as) : undefined;
  if (written && written.dimension === own.dimension) return withUnit((value * own.factor) / written.factor, written.name);
  switch (metricUnit) {
    case 'ratio':
      return as === '' || as === undefined ? formatNumber(value) : `${formatNumber(value * 100)}%`;
    case 'bytes': {
      const [name, factor] = value >= 1e9 ? ['GB', 1e9] : value >= 1e6 ? ['MB', 1e6] : value >= 1e3 ? ['KB', 1e3] : ['B', 1];
      return withUnit(value / (factor as number), name as string);
    }
    case 'count':
      return formatNumber(value);
    case 'requests/s':
      return withUnit(value, 'req/s');
    default:
      return withUnit(value, metricUnit);
  }
}

function withUnit(n: number, name: string): string {
  return name === '%' ? `${formatNumber(n)}%` : `${formatNumber(n)} ${name}`;
}

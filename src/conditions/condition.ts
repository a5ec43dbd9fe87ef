import { metricUnit } from '../model/metrics.js';

/**
 * Conditions on metrics, written as users write them: `ttft<=400ms` (an SLO every request
 * is checked against, for goodput), `p95(ttfc) < 400ms` (a percentile of a run, for capacity
 * and targets), `rtf < 0.5`, `error_rate < 1%`, `vram < 16GB`. Several join with "and" or ",".
 *
 * Values are normalised when parsed: durations to milliseconds, percentages to fractions,
 * memory to MiB; comparisons convert to the metric's own unit.
 */
export type Comparator = '<' | '<=' | '>' | '>=';

export interface Condition {
  /** As written, trimmed. */
  text: string;
  /** `p95`, `p99.9`, `mean`, `min`, `max`; absent for per-request SLOs (aggregates default to the mean). */
  stat?: string;
  metric: string;
  op: Comparator;
  /** The bound, normalised: ms for durations, a fraction for %, MiB for memory, else as written. */
  value: number;
  kind: 'duration' | 'fraction' | 'memory' | 'number';
}

export class ConditionSyntaxError extends Error {
  override name = 'ConditionSyntaxError';
}

const CONDITION = /^\s*(?:(p\d+(?:\.\d+)?|mean|avg|median|min|max)\s*\(\s*([A-Za-z_][\w.:-]*)\s*\)|([A-Za-z_][\w.:-]*))\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z%]*)\s*$/;
const DURATION_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000 };
const MEMORY_MIB: Record<string, number> = { mib: 1, mb: 1e6 / 2 ** 20, gib: 1024, gb: 1e9 / 2 ** 20, kib: 1 / 1024 };

const EXAMPLES = 'e.g. "ttft<=400ms", "p95(ttfc) < 400ms", "rtf < 0.5", "error_rate < 1%", "vram < 16GB"';

/** One condition; throws {@link ConditionSyntaxError} naming what is wrong and an example. */
export function parseCondition(text: string): Condition {
  const m = CONDITION.exec(text);
  if (!m) throw new ConditionSyntaxError(`cannot read ${JSON.stringify(text)}; write [stat(]metric[)] <|<=|>|>= value[unit], ${EXAMPLES}`);
  const stat = m[1] === 'avg' ? 'mean' : m[1] === 'median' ? 'p50' : m[1];
  if (stat?.startsWith('p') && !(Number(stat.slice(1)) > 0 && Number(stat.slice(1)) < 100)) {
    throw new ConditionSyntaxError(`${JSON.stringify(text)}: percentile ${stat} is out of range; use p1 … p99.9`);
  }
  const metric = m[2] ?? m[3]!;
  const raw = Number(m[5]);
  const unit = m[6] ?? '';
  const lower = unit.toLowerCase();
  let value: number;
  let kind: Condition['kind'];
  if (unit === '') [value, kind] = [raw, 'number'];
  else if (unit === '%') [value, kind] = [raw / 100, 'fraction'];
  else if (DURATION_MS[lower] !== undefined) [value, kind] = [raw * DURATION_MS[lower]!, 'duration'];
  else if (MEMORY_MIB[lower] !== undefined) [value, kind] = [raw * MEMORY_MIB[lower]!, 'memory'];
  else throw new ConditionSyntaxError(`${JSON.stringify(text)}: unknown unit "${unit}"; use ms, s, %, GB, GiB, MB, MiB or none`);
  const c: Condition = { text: text.trim(), metric, op: m[4] as Comparator, value, kind };
  if (stat) c.stat = stat;
  return c;
}

/** Conditions joined by "and" or ","; every bad one is reported at once. */
export function parseConditions(text: string): Condition[] {
  const parts = text.split(/\s+and\s+|\s*,\s*|\s*&&\s*/i).filter((p) => p.trim());
  const problems: string[] = [];
  const out: Condition[] = [];
  for (const part of parts) {
    try {
      out.push(parseCondition(part));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConditionSyntaxError(problems.join('; '));
  if (!out.length) throw new ConditionSyntaxError(`no condition in ${JSON.stringify(text)}; ${EXAMPLES}`);
  return out;
}

/** The bound in the unit a metric is recorded in (durations: ms, or s for `_seconds` metrics). */
export function boundIn(c: Condition, unit: string): number {
  if (c.kind === 'duration' && unit === 's') return c.value / 1000;
  return c.value;
}

export function compare(value: number, op: Comparator, bound: number): boolean {
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

/** Does one request's value meet a per-request SLO? */
export function meetsPerRequest(c: Condition, value: number | undefined): boolean {
  if (value === undefined || !Number.isFinite(value)) return false;
  return compare(value, c.op, boundIn(c, metricUnit(c.metric)));
}

/** "431 ms", "0.48", "12.1 GB", "2.3%" — a measured value in the units its condition was written in. */
export function formatMeasured(c: Condition, value: number): string {
  const n = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(Math.abs(x) >= 1 ? 2 : 3));
  switch (c.kind) {
    case 'duration':
      return metricUnit(c.metric) === 's' ? `${n(value)} s` : `${n(value)} ms`;
    case 'fraction':
      return `${n(value * 100)}%`;
    case 'memory':
      return `${n((value * 2 ** 20) / 1e9)} GB`;
    default:
      return n(value);
  }
}

/** "p95 ttfc" / "rtf": how a sentence names the measured quantity. */
export function conditionSubject(c: Condition): string {
  return c.stat ? `${c.stat} ${c.metric}` : c.metric;
}

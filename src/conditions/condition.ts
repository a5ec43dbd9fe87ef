import { closest, ConfigError, type ConfigProblem } from '../model/config-error.js';
import { METRICS, metricApplies, type FamilyOf, type MetricDefinition, type MetricUnit } from '../model/metrics.js';
import { convertToMetricUnit, formatValue, METRIC_UNIT_DIMENSION } from '../model/units.js';
import { CONDITION_EXAMPLES, ConditionSyntaxError, parseConditionText, type Comparator, type ParsedCondition } from './grammar.js';

export type { Comparator };

/**
 * Where a condition is judged, which decides what it may say:
 * - `request`: each request on its own (SLOs, goodput): `ttft<=400ms`, no aggregation;
 * - `phase`: a whole load point (thresholds, targets, capacity, compare): `p95(ttft)<400ms`,
 *   `error_rate<1%`; a per-request metric without an aggregation is judged by its mean;
 * - `arm`: one compared mode of `inferbench overhead`: `overhead(stream)<5%`, `p95(latency)<2s`.
 */
export type ConditionScope = 'request' | 'phase' | 'arm';

export type Aggregation = { kind: 'percentile'; p: number } | { kind: 'mean' | 'min' | 'max' | 'std' | 'count' | 'rate' };

/** A condition checked against the metric table: ready to evaluate. */
export interface Condition {
  /** As written, trimmed (one part of a joined expression). */
  text: string;
  /** How messages name the measured quantity: `p95(ttft)`, `error_rate`, `overhead(stream)`. */
  subject: string;
  /** The metric, by its table name (aliases resolved: `throughput` → `request_throughput`). */
  metric: string;
  /** Absent for one-number metrics (error_rate, fps, vram, overhead) and for per-request SLOs. */
  aggregation?: Aggregation;
  /** `overhead(stream)`: the compared mode; absent = every mode the condition applies to. */
  arm?: string;
  op: Comparator;
  /** The bound in `unit`. */
  bound: number;
  /** The unit the measured value is in (the metric's own, or per second for `rate(…)`). */
  unit: MetricUnit;
  /** The unit as the user wrote it ('' when none): values are shown in it where it fits. */
  writtenUnit: string;
}

/**
 * What a run can produce, so a condition naming anything else is refused before the first
 * request: the family (from the protocol: text, audio, frames or unary; streamed or not; in
 * process or not) and the protocol's own extra metrics (Ollama's server timings, Gradio's submit).
 */
export interface Producible {
  /** The families the target can produce (a gRPC method may be unary or streamed until its .proto says); absent: not known, not checked. */
  families?: readonly FamilyOf[];
  /** The protocol's own metrics, in the metric table's shape (from its descriptor). */
  extraMetrics?: Readonly<Record<string, MetricDefinition>>;
  /** How messages name the run: "protocol http". */
  describe?: string;
}

/** One condition expression and where it came from, for messages (`--threshold[0]`, `targets[2].target`). */
export interface ConditionSource {
  field: string;
  text: string;
}

const TABLE = METRICS as Record<string, MetricDefinition>;

/** The metrics `inferbench overhead` measures per mode, besides `overhead` itself. */
export const ARM_METRICS = ['overhead', 'latency', 'heap_peak_bytes', 'rss_peak_bytes'] as const;

/** Metrics `rate(…)` may sum per second, and the unit of the result. */
const RATE_OF: Partial<Record<MetricUnit, MetricUnit>> = { tokens: 'tokens/s', s: 'ratio' };
const RATE_OF_METRIC: Record<string, MetricUnit> = { frames_count: 'frames/s' };

const AGGREGATION_HINT = 'p50, p90, p95, p99, p999 (p99.9), median, mean, min, max, std, count or rate';

/** Reads an aggregation name: p95, p99.9, p999 (= 99.9, as the results' summaries name it), median, avg. */
function aggregationOf(name: string): Aggregation | undefined {
  const a = name.toLowerCase();
  if (a === 'median') return { kind: 'percentile', p: 50 };
  if (a === 'avg' || a === 'mean') return { kind: 'mean' };
  if (a === 'min' || a === 'max' || a === 'std' || a === 'count' || a === 'rate') return { kind: a };
  const m = /^p(\d+(?:\.\d+)?)$/.exec(a);
  if (!m) return undefined;
  const digits = m[1]!;
  // p999 is 99.9 and p9999 is 99.99, as in the results' summaries; p100 is the maximum.
  const p = !digits.includes('.') && digits.length > 2 && digits.startsWith('99') ? Number(`99.${digits.slice(2)}`) : Number(digits);
  return p > 0 && p <= 100 ? { kind: 'percentile', p } : undefined;
}

function aggregationName(a: Aggregation): string {
  return a.kind === 'percentile' ? (a.p === 99.9 ? 'p999' : `p${a.p}`) : a.kind;
}

/**
 * Parses and checks the expressions of one caller (every `--threshold`, a scenario's `slo`, …)
 * against the metric table, the scope and what the run can produce. Every problem of every
 * expression is collected into one ConfigError (exit 2), each naming its field, the expression,
 * the column and the fix. `produces` absent: only the table is checked (the run is not known yet).
 */
export function compileConditions(sources: readonly ConditionSource[], scope: ConditionScope, produces?: Producible): Condition[][] {
  const problems: ConfigProblem[] = [];
  const out = sources.map((s) => {
    const r = compileOne(s.text, scope, produces);
    problems.push(...r.problems.map((message) => ({ path: s.field, message: `${JSON.stringify(s.text)}: ${message}` })));
    return r.conditions;
  });
  if (problems.length) throw new ConfigError(problems);
  return out;
}

/** One expression (conditions joined by "and") for one scope; a ConfigError names every problem. The library's way in. */
export function parseConditions(text: string, scope: ConditionScope = 'phase', produces?: Producible, field = 'condition'): Condition[] {
  return compileConditions([{ field, text }], scope, produces)[0]!;
}

/** The problems of one expression (empty when it is fine), for schema refinements and flag checks. */
export function conditionProblems(text: string, scope: ConditionScope, produces?: Producible): string[] {
  return compileOne(text, scope, produces).problems;
}

/** One expression, already known to be valid (it was checked at config time), e.g. a scenario's stored SLO. */
export function compileChecked(text: string, scope: ConditionScope): Condition[] {
  const r = compileOne(text, scope);
  if (r.problems.length) throw new Error(`condition ${JSON.stringify(text)} was not checked: ${r.problems.join('; ')}`);
  return r.conditions;
}

function compileOne(text: string, scope: ConditionScope, produces?: Producible): { conditions: Condition[]; problems: string[] } {
  let parsed: ParsedCondition[];
  try {
    parsed = parseConditionText(text);
  } catch (err) {
    if (!(err instanceof ConditionSyntaxError)) throw err;
    return { conditions: [], problems: [`${err.message}; write [aggregation(]metric[)] <|<=|>|>= number[unit], e.g. ${CONDITION_EXAMPLES}`] };
  }
  const problems: string[] = [];
  const conditions: Condition[] = [];
  for (const p of parsed) {
    const r = checkOne(p, scope, produces);
    if (typeof r === 'string') problems.push(parsed.length > 1 ? `${JSON.stringify(p.text)}: ${r}` : r);
    else conditions.push(r);
  }
  return { conditions, problems };
}

function checkOne(p: ParsedCondition, scope: ConditionScope, produces?: Producible): Condition | string {
  // `overhead(stream)`: the name outside is the metric, the one inside the compared mode.
  const armForm = p.outer !== undefined && resolveName(p.outer.text) === 'overhead';
  const metricWritten = armForm ? p.outer! : p.inner;
  const arm = armForm ? p.inner.text : undefined;
  let aggregation: Aggregation | undefined;
  if (p.outer && !armForm) {
    aggregation = aggregationOf(p.outer.text);
    if (!aggregation) {
      const hint = closest(p.outer.text, ['p50', 'p90', 'p95', 'p99', 'p999', 'median', 'mean', 'min', 'max', 'std', 'count', 'rate']);
      return `unknown aggregation "${p.outer.text}" at column ${p.outer.column}${hint ? `; did you mean "${hint}"?` : ''} (use ${AGGREGATION_HINT})`;
    }
  }
  const metric = resolveName(metricWritten.text);
  const extraDefs = produces?.extraMetrics ?? {};
  const extras = Object.keys(extraDefs);
  const def: MetricDefinition | undefined = TABLE[metric] ?? extraDefs[metric];
  const at = `at column ${metricWritten.column}`;
  if (!def) {
    const candidates = [...candidateMetrics(scope, produces), ...extras];
    const hint = closest(metricWritten.text, candidates) ?? closest(metricWritten.text, Object.keys(TABLE));
    return `unknown metric "${metricWritten.text}" ${at}${hint ? `; did you mean "${hint}"?` : ''} (${scopeMetricsHint(scope, produces)})`;
  }
  const runLevel = def?.level === 'run';
  const own = def.unit;

  // What the scope allows.
  if (scope === 'arm') {
    if (!(ARM_METRICS as readonly string[]).includes(metric)) return `${metric} ${at} is not measured by inferbench overhead; it measures ${ARM_METRICS.join(', ')} per mode`;
    if (metric !== 'latency' && aggregation) return `${metric} ${at} is one number per mode; write "${metric}${arm ? `(${arm})` : ''}${p.op}${p.value}${p.unit.text}" without ${p.outer!.text}(…)`;
  } else if (def?.overheadOnly) {
    return `${metric} ${at} is measured by \`inferbench overhead\` (per compared mode), not by a run`;
  } else if (scope === 'request') {
    if (aggregation) return `${p.outer!.text}(…) at column ${p.outer!.column}: an SLO is checked on each request; write "${metric}${p.op}${p.value}${p.unit.text}" without ${p.outer!.text}(…) (percentiles belong in --threshold, targets and capacity --slo)`;
    if (runLevel) return `${metric} ${at} is one number per run, not per request; put it in --threshold or targets instead of an SLO`;
  }
  if (armForm && scope !== 'arm') return `${metric} is measured by \`inferbench overhead\` (per compared mode), not by a run`;
  if (runLevel && aggregation && scope !== 'arm') return `${metric} ${at} is one number per run; write "${metric}${p.op}${p.value}${p.unit.text}" without ${p.outer!.text}(…)`;

  // What the run can produce.
  if (scope !== 'arm' && !canProduce(def, produces)) return notProduced(metric, def, produces!, at);

  let unit: MetricUnit = own;
  if (aggregation?.kind === 'rate') {
    const rated = RATE_OF_METRIC[metric] ?? RATE_OF[own];
    if (!rated) return `rate(${metric}) at column ${p.outer!.column}: rate(…) sums a quantity per second; it applies to output_tokens, input_tokens, frames_count and audio_seconds, not ${metric}`;
    unit = rated;
  } else if (aggregation?.kind === 'count') {
    unit = 'count';
  }
  const converted = convertToMetricUnit(p.value, p.unit.text, unit);
  if ('problem' in converted) return `at column ${p.unit.column}: ${converted.problem}`;
  // Messages name the metric as written (`throughput`), the evaluator reads the table's name.
  const named = metricWritten.text.toLowerCase();
  const subject = armForm ? `${named}(${arm})` : aggregation ? `${aggregationName(aggregation)}(${named})` : named;
  const c: Condition = { text: p.text, subject, metric, op: p.op, bound: converted.value, unit, writtenUnit: p.unit.text };
  if (aggregation) c.aggregation = aggregation;
  if (arm !== undefined) c.arm = arm;
  return c;
}

/** A table name for what was written: lower case, aliases resolved. */
function resolveName(written: string): string {
  const name = written.toLowerCase();
  return TABLE[name]?.aliasOf ?? name;
}

/** Whether a run that can produce `produces` can have this metric (unknown families: assume it can). */
function canProduce(def: MetricDefinition, produces?: Producible): boolean {
  if (!produces?.families?.length) return !def.overheadOnly;
  const d = def.aliasOf ? TABLE[def.aliasOf]! : def;
  return produces.families.some((f) => metricApplies(d, f));
}

function candidateMetrics(scope: ConditionScope, produces?: Producible): string[] {
  if (scope === 'arm') return [...ARM_METRICS];
  return [...Object.entries(TABLE), ...Object.entries(produces?.extraMetrics ?? {})]
    .filter(([, d]) => !d.overheadOnly && (scope !== 'request' || d.level !== 'run'))
    .filter(([, d]) => canProduce(d, produces))
    .map(([n]) => n);
}

function scopeMetricsHint(scope: ConditionScope, produces?: Producible): string {
  if (scope === 'arm') return `inferbench overhead measures ${ARM_METRICS.join(', ')}`;
  const names = candidateMetrics(scope, produces).filter((n) => !TABLE[n]?.aliasOf);
  const who = produces?.describe ? `${produces.describe} measures` : 'metrics';
  return `${who}: ${names.join(', ')}`;
}

const FAMILY_WORDS: Record<FamilyOf['family'], string> = { unary: 'a unary run (one answer per request)', text: 'a text run', audio: 'an audio run', frames: 'a frames run' };

function notProduced(metric: string, def: MetricDefinition, produces: Producible, at: string): string {
  const who = produces.describe ? ` (${produces.describe})` : '';
  const families = produces.families!;
  const kinds = [...new Set(families.map((f) => f.family))];
  const run = kinds.length === 1 ? FAMILY_WORDS[kinds[0]!] : `a ${kinds.join(' or ')} run`;
  let why: string;
  if (def.families && !kinds.some((k) => def.families!.includes(k))) why = `${metric} ${at} is ${/^[aeiou]/.test(def.families[0]!) ? 'an' : 'a'} ${def.families.join('/')} metric; ${run}${who} cannot produce it`;
  else if (def.streamOnly && !families.some((f) => f.streamed)) why = `${metric} ${at} needs a streamed answer; this run${who} receives each answer whole (set stream: true where the protocol has it)`;
  else why = `${metric} ${at} is measured only for in-process (local) targets; this run${who} is not one`;
  return `${why}; it measures ${candidateMetrics('phase', produces).filter((n) => !TABLE[n]?.aliasOf).join(', ')}`;
}

/**
 * The unit a condition's measured values are shown in: as written for sizes, ratios and rates
 * (`vram<16GB` reads back in GB, `error_rate<1%` in %); times in their own scale (21.3 ms, not 0.021 s).
 */
export function shownIn(c: Condition): string | undefined {
  return METRIC_UNIT_DIMENSION[c.unit].dimension === 'time' ? undefined : c.writtenUnit;
}

/** A measured value of a condition, for messages. */
export function formatMeasured(c: Condition, value: number): string {
  return formatValue(value, c.unit, shownIn(c));
}

/** The bound as written back: "< 400 ms", "< 1.00%". */
export function formatBound(c: Condition): string {
  return `${c.op} ${formatValue(c.bound, c.unit, c.writtenUnit)}`;
}

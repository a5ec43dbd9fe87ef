import { conditionProblems, type ConditionScope, type Producible } from '../conditions/condition.js';
import type { ConfigProblem } from '../model/config-error.js';
import type { FamilyOf } from '../model/metrics.js';
import type { Results } from '../model/results.js';
import { descriptorOf } from '../protocols/registry.js';

/** Which of a scenario's conditions came from flags, so messages name the flag (`--threshold[0]`) rather than the merged field. */
export interface ConditionOrigins {
  /** The last n entries of `thresholds` came from `--threshold`. */
  thresholdsFromFlags?: number;
  /** `slo` came from `--slo`. */
  sloFromFlags?: boolean;
}

/**
 * What a target can produce, from its protocol's descriptor: the families (checked against the
 * target as written, with its protocol's defaults) and the protocol's own metrics. Undefined for
 * an unknown protocol (the schema reports that); families absent when the target does not parse.
 */
export function producibleOf(target: unknown): Producible | undefined {
  const t = target && typeof target === 'object' ? (target as Record<string, unknown>) : undefined;
  const descriptor = typeof t?.protocol === 'string' ? descriptorOf(t.protocol) : undefined;
  if (!descriptor) return undefined;
  const parsed = descriptor.schema.safeParse(t);
  const produces: Producible = { extraMetrics: descriptor.metrics ?? {}, describe: `protocol ${t!.protocol as string}` };
  if (parsed.success) produces.families = descriptor.families(parsed.data);
  return produces;
}

/** What a results file's run produced: each phase's recorded family, and its protocol's own metrics. */
export function producibleOfResults(results: Results): Producible | undefined {
  const fromTarget = producibleOf(results.scenario.target);
  const families: FamilyOf[] = results.points.map(({ measure: m }) => ({ family: m.family, streamed: m.streamed, ...(m.inProcess ? { inProcess: true } : {}) }));
  if (!families.length) return fromTarget;
  return { ...fromTarget, families };
}

/**
 * Every problem with a scenario's conditions (thresholds, slo, targets), before anything is
 * sent: syntax, unknown metrics, units that do not fit, and metrics the target cannot produce.
 * Reads the scenario as written, so it reports alongside the schema's own problems.
 */
export function scenarioConditionProblems(value: unknown, produces: Producible | undefined, origins: ConditionOrigins = {}): ConfigProblem[] {
  if (!value || typeof value !== 'object') return [];
  const s = value as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const check = (field: string, text: unknown, scope: ConditionScope) => {
    if (typeof text !== 'string') return; // the schema reports the wrong type
    for (const message of conditionProblems(text, scope, produces)) problems.push({ path: field, message: `${JSON.stringify(text)}: ${message}` });
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

  const thresholds = list(s.thresholds);
  const fromFlags = origins.thresholdsFromFlags ?? 0;
  thresholds.forEach((t, i) => {
    const flagIndex = i - (thresholds.length - fromFlags);
    check(flagIndex >= 0 ? `--threshold[${flagIndex}]` : `thresholds[${i}]`, t, 'phase');
  });
  list(s.slo).forEach((t, i) => check(origins.sloFromFlags ? `--slo[${i}]` : `slo[${i}]`, t, 'request'));
  list(s.targets).forEach((row, i) => {
    if (!row || typeof row !== 'object') return;
    const r = row as Record<string, unknown>;
    check(`targets[${i}].target`, r.target, 'phase');
    if (r.stretch !== undefined) check(`targets[${i}].stretch`, r.stretch, 'phase');
  });
  return problems;
}

import { conditionProblems, type ConditionScope, type Producible } from '../conditions/condition.js';
import type { ConfigProblem } from '../model/config-error.js';
import { familyOfTarget } from '../protocols/family-of-target.js';

/** Which of a scenario's conditions came from flags, so messages name the flag (`--threshold[0]`) rather than the merged field. */
export interface ConditionOrigins {
  /** The last n entries of `thresholds` came from `--threshold`. */
  thresholdsFromFlags?: number;
  /** `slo` came from `--slo`. */
  sloFromFlags?: boolean;
}

/** What the scenario's target can produce, for checking conditions (undefined while the target is unknown). */
export function producibleOf(target: unknown): Producible | undefined {
  return familyOfTarget(target && typeof target === 'object' ? (target as Record<string, unknown>) : undefined);
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

/**
 * What can be checked before the first request is checked here, for every point at once:
 * malformed placeholders, and placeholders naming dataset fields that a row lacks (or a dataset
 * the scenario does not have). Each problem names the field it sits in and the fix.
 */
import type { ConfigProblem } from '../model/config-error.js';
import type { Dataset } from '../scenario/dataset.js';
import type { LoadPoint } from '../scenario/load-points.js';
import { placeholdersOf, templateProblems } from '../scenario/template.js';

/** Placeholders that are helpers, not fields. */
const HELPERS = new Set(['index', 'seed', 'run_id', 'phase', 'uuid', 'timestamp', 'timestamp_ms', 'datetime']);

/** Target fields that hold templates of their own kind (frame items' {{frame}}), not request templates. */
const NOT_TEMPLATED = new Set(['frames']);

export function preflightProblems(points: LoadPoint[], dataset: Dataset | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const add = (p: ConfigProblem) => {
    const key = `${p.path}\n${p.message}`;
    if (!seen.has(key)) (seen.add(key), problems.push(p));
  };
  for (const point of points) {
    const at = point.step ? `steps.${point.step.name}` : '';
    const fields: [string, unknown][] = Object.entries(point.target).filter(([k]) => !NOT_TEMPLATED.has(k));
    if (point.calls?.values) fields.push(...Object.entries(point.calls.values).map(([k, v]) => [`values.${k}`, v] as [string, unknown]));
    const declared = new Set(Object.keys(point.calls?.values ?? {}));
    // A build module may name any value: references to values then cannot be checked.
    const open = Boolean((point.target as { build?: string }).build);
    const rows = (point as { dataset?: Dataset }).dataset?.rows ?? dataset?.rows;
    for (const [field, template] of fields) {
      const path = [at, field.startsWith('values.') ? field : `target.${field}`].filter(Boolean).join('.');
      for (const message of templateProblems(template)) add({ path, message });
      for (const expr of placeholdersOf(template)) {
        const head = expr.split(/\s+/)[0]!;
        if (HELPERS.has(head) || head.startsWith('random.') || head.startsWith('steps.')) continue;
        const rowPath = head.startsWith('row.') ? head.slice(4).split('.') : head.split('.');
        if (!head.startsWith('row.') && (declared.has(rowPath[0]!) || open)) continue;
        if (!rows) {
          add({ path, message: `{{${expr}}} names "${rowPath.join('.')}", which is neither a helper nor one of this ${point.step ? 'step' : 'scenario'}'s values; add a dataset with that field (dataset.path / --dataset) or declare it under values:` });
          continue;
        }
        const missing = rows.findIndex((r) => fieldAt(r, rowPath) === undefined);
        if (missing >= 0) {
          add({
            path,
            message: `{{${expr}}}: dataset row ${missing + 1} of ${rows.length} has no field "${rowPath.join('.')}" (its fields: ${Object.keys(rows[missing]!).join(', ') || 'none'}); fix the row or the placeholder`,
          });
        }
      }
    }
  }
  return problems;
}

function fieldAt(row: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = row;
  for (const key of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

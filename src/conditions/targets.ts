import type { Results, TargetResult } from '../model/results.js';
import { compileChecked, formatMeasured } from './condition.js';
import { evaluateOnPhase } from './evaluate.js';

/** One row of a scenario's targets table: how the table names it, its target and stretch goal. */
export interface TargetRow {
  metric: string;
  target: string;
  stretch?: string;
}

/**
 * Judges the targets table on every load point: `stretch` when the stretch goal is met too,
 * `pass`, `miss`, or `n/a` when the run measured nothing the row names (e.g. VRAM without
 * --gpu). A row whose target joins several conditions passes when all do. The rows were
 * checked at config time.
 */
export function judgeTargets(results: Results, targets: readonly TargetRow[]): TargetResult[] {
  return targets.map((row) => {
    const target = compileChecked(row.target, 'phase');
    const stretch = row.stretch ? compileChecked(row.stretch, 'phase') : undefined;
    const out: TargetResult = { metric: row.metric, target: row.target, points: [] };
    if (row.stretch) out.stretch = row.stretch;
    for (const p of results.points) {
      const verdicts = target.map((c) => evaluateOnPhase(c, p.measure));
      if (verdicts.some((v) => v.status === 'not measured')) {
        out.points.push({ label: p.label, status: 'n/a' });
        continue;
      }
      const first = verdicts[0]!;
      const met = verdicts.every((v) => v.status === 'pass');
      const stretchMet = met && stretch !== undefined && stretch.every((c) => evaluateOnPhase(c, p.measure).status === 'pass');
      out.points.push({
        label: p.label,
        value: first.value!,
        measured: formatMeasured(first.condition, first.value!),
        status: stretchMet ? 'stretch' : met ? 'pass' : 'miss',
      });
    }
    return out;
  });
}

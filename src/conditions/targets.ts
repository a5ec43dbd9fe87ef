import type { Results, TargetResult } from '../model/results.js';
import type { Scenario } from '../scenario/schema.js';
import { parseConditions, formatMeasured } from './condition.js';
import { evaluateOnPhase } from './evaluate.js';

/**
 * Judges the scenario's targets table on every load point: `stretch` when the stretch goal
 * is met too, `pass`, `miss`, or `n/a` when the run measured nothing the row names (e.g.
 * VRAM without --gpu). A row whose target joins several conditions passes when all do.
 */
export function judgeTargets(results: Results, targets: NonNullable<Scenario['targets']>): TargetResult[] {
  return targets.map((row) => {
    const target = parseConditions(row.target);
    const stretch = row.stretch ? parseConditions(row.stretch) : undefined;
    const out: TargetResult = { metric: row.metric, target: row.target, points: [] };
    if (row.stretch) out.stretch = row.stretch;
    for (const p of results.points) {
      const verdicts = target.map((c) => evaluateOnPhase(c, p.measure));
      const first = verdicts[0]!;
      if (verdicts.some((v) => v.value === undefined)) {
        out.points.push({ label: p.label, status: 'n/a' });
        continue;
      }
      const met = verdicts.every((v) => v.met);
      const stretchMet = met && stretch !== undefined && stretch.every((c) => evaluateOnPhase(c, p.measure).met);
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

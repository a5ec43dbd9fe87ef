import { ConfigError } from '../model/config-error.js';
import { loadSchema, type Load, type Scenario } from './schema.js';
import { targetSchema, type Target } from '../protocols/schemas.js';

/** One load point of a run: its own load, possibly its own target, and a label for tables. */
export interface LoadPoint {
  label: string;
  load: Load;
  target: Target;
}

/**
 * Expands `sweep` into load points (a plain scenario has one). Each point's load and target
 * are validated as a whole, so a bad override is reported with its sweep path.
 */
export function loadPoints(scenario: Scenario, rawScenario: Record<string, unknown>): LoadPoint[] {
  const sweep = scenario.sweep;
  if (!sweep) return [{ label: labelOf(scenario.load, undefined), load: scenario.load, target: scenario.target }];
  const rawLoad = (rawScenario.load ?? {}) as Record<string, unknown>;
  const rawTarget = (rawScenario.target ?? {}) as Record<string, unknown>;
  const overrides: { label?: string; load?: Record<string, unknown>; target?: Record<string, unknown> }[] =
    'concurrency' in sweep
      ? sweep.concurrency.map((c) => ({ load: { mode: 'concurrency', concurrency: c } }))
      : 'rate' in sweep
        ? sweep.rate.map((r) => ({ load: { mode: 'rate', rate: r } }))
        : 'batch_size' in sweep
          ? sweep.batch_size.map((b) => ({ label: `batch_size=${b}`, target: { batch_size: b } }))
          : sweep.points;
  const problems: { path: string; message: string }[] = [];
  const points = overrides.map((o, i) => {
    const load = loadSchema.safeParse({ ...rawLoad, ...(o.load ?? {}) });
    const target = targetSchema.safeParse(o.target ? { ...rawTarget, ...o.target } : rawTarget);
    for (const issue of load.error?.issues ?? []) problems.push({ path: `sweep[${i}].load.${issue.path.join('.')}`, message: issue.message });
    for (const issue of target.error?.issues ?? []) problems.push({ path: `sweep[${i}].target.${issue.path.join('.')}`, message: issue.message });
    return { o, load: load.data, target: target.data };
  });
  if (problems.length) throw new ConfigError(problems);
  return points.map(({ o, load, target }) => ({ label: o.label ?? labelOf(load!, o.target ? target : undefined), load: load!, target: target! }));
}

function labelOf(load: Load, target: Target | undefined): string {
  const base =
    load.mode === 'rate'
      ? `rate=${load.rate}/s ${load.arrival}${load.arrival === 'gamma' ? `(${load.burstiness})` : ''}`
      : load.mode === 'concurrency'
        ? `concurrency=${load.concurrency}`
        : 'iterations';
  return target ? `${target.protocol} ${base}` : base;
}

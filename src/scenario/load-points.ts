import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { z } from 'zod';
import { loadSchema, phasesSchema, stepSchema, type Load, type Phases, type Scenario } from './schema.js';
import { targetSchema, type Target } from '../protocols/schemas.js';
import { placeholdersOf } from './template.js';

/** What a point's calls name and record (a step's, or a plain scenario's own `values`/`capture`/`record`). */
export interface CallSpec {
  /** Templates rendered per call before it is sent: {{name}} in the target, {{steps.<step>.<name>}} later. */
  values?: Record<string, unknown>;
  /** Name → JSON path read from each ok response. */
  capture?: Record<string, string>;
  /** Extra record columns (value or capture names). */
  record?: string[];
}

/** The step a point belongs to, when the scenario has `steps`. */
export interface StepInfo {
  name: string;
  /** Unmeasured (k6's setup()): its calls run, their values feed later steps, its metrics are not results. */
  setup: boolean;
  /**
   * Earlier steps whose values this step's templates use ({{steps.fit.series_id}}): call i takes
   * the values of the i-th successful call of each, and the step makes one call per successful call
   * of the first when its load names no count.
   */
  uses: string[];
  /** The load names no request count or duration: it follows the calls of `uses[0]`. */
  countFromUses: boolean;
}

/** One load point of a run: its own load, possibly its own target, and a label for tables. */
export interface LoadPoint {
  label: string;
  load: Load;
  target: Target;
  /** Warmup and cooldown of this point (the scenario's, or a step's own). */
  phases: Phases;
  calls?: CallSpec;
  step?: StepInfo;
}

/**
 * The load points of a scenario: its steps in order (each its own target, load and phases laid
 * over the scenario's), or its `sweep` expanded, or the one point of a plain scenario. Each point's
 * load and target are validated as a whole, so a bad override is reported with its path.
 */
export function loadPoints(scenario: Scenario, rawScenario: Record<string, unknown>): LoadPoint[] {
  if (scenario.steps) return stepPoints(rawScenario);
  const calls = callSpecOf(scenario);
  const sweep = scenario.sweep;
  if (!sweep) return [{ label: labelOf(scenario.load, undefined), load: scenario.load, target: scenario.target, phases: scenario.phases, calls }];
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
  const problems: ConfigProblem[] = [];
  const points = overrides.map((o, i) => {
    const load = loadSchema.safeParse(overlayLoad(rawLoad, o.load));
    const target = targetSchema.safeParse(o.target ? { ...rawTarget, ...o.target } : rawTarget);
    for (const issue of load.error?.issues ?? []) problems.push({ path: `sweep[${i}].load.${issue.path.join('.')}`, message: issue.message });
    for (const issue of target.error?.issues ?? []) problems.push({ path: `sweep[${i}].target.${issue.path.join('.')}`, message: issue.message });
    return { o, load: load.data, target: target.data };
  });
  if (problems.length) throw new ConfigError(problems);
  return points.map(({ o, load, target }) => ({ label: o.label ?? labelOf(load!, o.target ? target : undefined), load: load!, target: target!, phases: scenario.phases, calls }));
}

function callSpecOf(fields: { values?: Record<string, unknown>; capture?: Record<string, string>; record?: string[] }): CallSpec | undefined {
  if (!fields.values && !fields.capture && !fields.record) return undefined;
  return { values: fields.values, capture: fields.capture, record: fields.record };
}

const CLOSED_LOOP_FIELDS = ['concurrency', 'think_time', 'spawn_rate'];
const OPEN_LOOP_FIELDS = ['rate', 'arrival', 'burstiness', 'max_in_flight'];

/**
 * Lays a load override over a base: an override that picks the other loop (a rate over a
 * concurrency, or the reverse) replaces the base's fields of the loop it leaves, instead of
 * conflicting with them; a count or a duration replaces the other bound, and stages replace both.
 */
export function overlayLoad(base: Record<string, unknown>, override: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!override) return { ...base };
  const out = { ...base };
  const picksOpen = override.mode === 'rate' || (override.mode === undefined && override.rate !== undefined);
  const picksClosed = override.mode === 'concurrency' || override.mode === 'iterations' || (override.mode === undefined && override.concurrency !== undefined);
  if (picksOpen) for (const f of CLOSED_LOOP_FIELDS) delete out[f];
  if (picksClosed) for (const f of OPEN_LOOP_FIELDS) delete out[f];
  if ((picksOpen || picksClosed) && override.mode === undefined) delete out.mode;
  if (override.requests !== undefined || override.duration !== undefined || override.stages !== undefined) {
    delete out.requests;
    delete out.duration;
    delete out.stages;
  }
  return { ...out, ...override };
}

/** Expands `steps` into points, with every problem (bad override, unknown step reference) reported at once. */
export function stepPoints(raw: Record<string, unknown>): LoadPoint[] {
  const problems: ConfigProblem[] = [];
  const parsedSteps = z.array(stepSchema).safeParse(raw.steps);
  // The scenario's own validation reports malformed steps; here they are only skipped.
  const steps = parsedSteps.data ?? [];
  if (raw.sweep !== undefined) problems.push({ path: 'sweep', message: 'a scenario with steps gives each step its own load; remove sweep (or run the sweep as its own scenario)' });
  const rawLoad = (raw.load ?? {}) as Record<string, unknown>;
  const rawTarget = (raw.target ?? {}) as Record<string, unknown>;
  const rawPhases = (raw.phases ?? {}) as Record<string, unknown>;
  const rawSteps = (raw.steps ?? []) as Record<string, unknown>[];
  const seen = new Map<string, { values: Set<string>; open: boolean }>();
  const points: LoadPoint[] = [];
  for (const [i, step] of steps.entries()) {
    const at = `steps[${i}]`;
    const rawStep = rawSteps[i] ?? {};
    if (seen.has(step.name)) problems.push({ path: `${at}.name`, message: `another step is already named "${step.name}"; give each step its own name` });
    const stepLoad = (rawStep.load ?? {}) as Record<string, unknown>;
    const load = loadSchema.safeParse(overlayLoad(rawLoad, stepLoad));
    const target = targetSchema.safeParse({ ...rawTarget, ...((rawStep.target ?? {}) as Record<string, unknown>) });
    const phases = phasesSchema.safeParse({ ...rawPhases, ...((rawStep.phases ?? {}) as Record<string, unknown>) });
    for (const issue of load.error?.issues ?? []) problems.push({ path: `${at}.load.${issue.path.join('.')}`, message: issue.message });
    for (const issue of target.error?.issues ?? []) problems.push({ path: `${at}.target.${issue.path.join('.')}`.replace(/\.$/, ''), message: issue.message });
    for (const issue of phases.error?.issues ?? []) problems.push({ path: `${at}.phases.${issue.path.join('.')}`, message: issue.message });

    // {{steps.X.v}} must name an earlier step and one of its values.
    const uses: string[] = [];
    for (const expr of placeholdersOf([rawStep.target ?? {}, step.values ?? {}])) {
      const m = /^steps\.([^.\s]+)\.([^.\s]+)/.exec(expr);
      if (!m) continue;
      const [, name, value] = m;
      const earlier = seen.get(name!);
      if (!earlier) {
        const later = steps.slice(i + 1).some((s) => s.name === name);
        problems.push({
          path: at,
          message: `{{${expr}}} names ${later ? `step "${name}", which runs after this one` : `no step "${name}"`}; steps run in order and use values of earlier steps (${[...seen.keys()].join(', ') || 'none before this one'})`,
        });
      } else if (!earlier.open && !earlier.values.has(value!)) {
        problems.push({ path: at, message: `{{${expr}}}: step "${name}" names no value "${value}"; it has ${[...earlier.values].join(', ') || 'none'} (declare it under its values: or capture:)` });
      }
      if (!uses.includes(name!)) uses.push(name!);
    }
    const names = new Set([...Object.keys(step.values ?? {}), ...Object.keys(step.capture ?? {})]);
    for (const column of step.record ?? []) {
      if (!names.has(column) && !hasBuild(target.data)) problems.push({ path: `${at}.record`, message: `"${column}" is not one of this step's values or captures (${[...names].join(', ') || 'none'}); declare it under values: or capture:` });
    }
    seen.set(step.name, { values: names, open: hasBuild(target.data) });
    const countFromUses = uses.length > 0 && !['requests', 'duration', 'stages', 'spawn_rate'].some((f) => f in stepLoad);
    if (load.data && target.data && phases.data) {
      points.push({
        label: step.name,
        load: load.data,
        target: target.data,
        phases: phases.data,
        calls: callSpecOf(step),
        step: { name: step.name, setup: step.setup, uses, countFromUses },
      });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return points;
}

/** A request-builder module may name any values: references to them cannot be checked before the run. */
function hasBuild(target: Target | undefined): boolean {
  return Boolean(target && 'build' in target && (target as { build?: string }).build);
}

function labelOf(load: Load, target: Target | undefined): string {
  const base = load.spawn_rate !== undefined
    ? `concurrency=${load.concurrency} (spawn ${load.spawn_rate}/s)`
    : load.stages
    ? `stages ${load.stages.map((s) => (load.mode === 'rate' ? `${s.rate}/s` : `${s.concurrency}`)).join('→')}`
    : load.mode === 'rate'
      ? `rate=${load.rate}/s ${load.arrival}${load.arrival === 'gamma' ? `(${load.burstiness})` : ''}`
      : load.mode === 'concurrency'
        ? `concurrency=${load.concurrency}`
        : 'iterations';
  return target ? `${target.protocol} ${base}` : base;
}

/** The library API: everything the CLI does, as functions and types. */
export { run, type RunOptions, type RunResult, type Progress, type PhaseName } from './runner.js';
export { serve } from './server/index.js';
export { resolveScenario, loadScenarioFile, type LoadedScenario } from './scenario/load-scenario.js';
export { scenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.js';
export { ConfigError, type ConfigProblem } from './scenario/errors.js';
export { TargetUnreachableError } from './probe.js';
export type { Timeline, OutcomeKind, ContentEvent } from './measure/timeline.js';
export type { Results, LoadPointResult, PhaseResult, MetricResult, Summary } from './results/types.js';
export { formatSummary } from './report/console.js';

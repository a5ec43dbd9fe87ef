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
export { serveGrpc, type ReferenceGrpcServer, type GrpcServerOptions } from './server/grpc/index.js';
export { measureOverhead, checkOverheadThresholds, parseOverheadThreshold, type OverheadOptions, type OverheadReport, type ModeStats } from './local/overhead.js';
export { formatOverheadReport } from './report/overhead-table.js';
export { formatSweepComparison, pointThroughput } from './report/comparison.js';
export { syntheticImage, type SyntheticImageOptions } from './frames/images.js';
export type { LocalModelModule, LocalMode } from './local/load-module.js';

/** The library API: everything the CLI does, as functions and types. */
export { run, type RunOptions, type RunResult, type Progress, type PhaseName } from './run/runner.js';
export type { ReferenceServer, ReferenceServerOptions } from './server/index.js';
/** The reference server (its routes load when it is started, not when the library is imported). */
export async function serve(...args: Parameters<typeof import('./server/index.js').serve>): Promise<import('./server/index.js').ReferenceServer> {
  return (await import('./server/index.js')).serve(...args);
}
export { resolveScenario, loadScenarioFile, type LoadedScenario } from './scenario/load-scenario.js';
export { scenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.js';
export { ConfigError, type ConfigProblem } from './model/config-error.js';
export { TargetUnreachableError } from './run/probe.js';
export type { Timeline, OutcomeKind, ContentEvent } from './model/timeline.js';
export type { Results, LoadPointResult, PhaseResult, MetricResult, Summary } from './model/results.js';
export { formatSummary } from './report/console.js';
export type { ReferenceGrpcServer, GrpcServerOptions } from './server/grpc/index.js';
/** The reference gRPC server (grpc-js loads when it is started, not when the library is imported). */
export async function serveGrpc(...args: Parameters<typeof import('./server/grpc/index.js').serveGrpc>): Promise<import('./server/grpc/index.js').ReferenceGrpcServer> {
  return (await import('./server/grpc/index.js')).serveGrpc(...args);
}
export { measureOverhead, overheadArms, type OverheadOptions, type OverheadReport, type ModeStats } from './run/overhead.js';
export { parseConditions, compileConditions, formatMeasured, type Condition, type ConditionScope, type Producible } from './conditions/condition.js';
export { evaluateOnPhase, evaluateOnArm, meetsPerRequest, type Verdict, type VerdictStatus, type ArmMeasurements } from './conditions/evaluate.js';
export { checkThresholds, formatThresholdOutcomes, type ThresholdOutcome } from './conditions/thresholds.js';
export { checkArmConditions, type ArmOutcome } from './conditions/overhead.js';
export { producibleOf, producibleOfResults } from './scenario/check-conditions.js';
export { formatOverheadReport } from './report/overhead-table.js';
export { formatSweepComparison, pointThroughput } from './report/comparison.js';
export { syntheticImage, type SyntheticImageOptions } from './protocols/frames/images.js';
export type { LocalModelModule, LocalMode } from './protocols/local/load-module.js';
export { mergeSegmentParts, MergeError, type ResultsPart } from './results/merge.js';
export { calibrate, type Calibration } from './run/calibrate.js';
export { kubernetesManifests, dockerfile, type KubernetesPlan } from './run/k8s.js';
export { parseSegment, type LoadShare } from './load/share.js';

/** The library API: everything the CLI does, as functions and types. */

// Run a benchmark
export { run, type RunOptions, type RunResult, type Progress, type PhaseName } from './run/runner.js';
export { resolveScenario, loadScenarioFile, type LoadedScenario } from './scenario/load-scenario.js';
export { scenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.js';
export { ConfigError, type ConfigProblem } from './model/config-error.js';
export { TargetUnreachableError } from './run/probe.js';
export type { Timeline, OutcomeKind, ContentEvent } from './model/timeline.js';

// Results: the file a run writes, read back, split runs merged
export type { Results, LoadPointResult, PhaseResult, MetricResult, Summary, PerSecondSeries } from './model/results.js';
export { METRICS, metricsOfFamily, type MetricFamily, type MetricDefinition, type MetricName } from './model/metrics.js';
export { readResults, writeResultsAtomic, ResultsFileError } from './results/writer.js';
export { mergeSegmentParts, MergeError, type ResultsPart } from './results/merge.js';

// Conditions: one language for thresholds, SLOs and overhead checks
export { parseConditions, compileConditions, formatMeasured, type Condition, type ConditionScope, type Producible } from './conditions/condition.js';
export { evaluateOnPhase, evaluateOnArm, meetsPerRequest, type Verdict, type VerdictStatus, type ArmMeasurements } from './conditions/evaluate.js';
export { checkThresholds, formatThresholdOutcomes, type ThresholdOutcome } from './conditions/thresholds.js';
export { checkArmConditions, type ArmOutcome } from './conditions/overhead.js';
export { producibleOf, producibleOfResults } from './scenario/check-conditions.js';

// Render reports and compare runs
export { formatSummary, type ConsoleOptions } from './report/console.js';
export { formatMarkdownSummary } from './report/markdown.js';
export type { ReportRun, HtmlReportOptions } from './report/html.js';
/** One self-contained HTML report page (the report and its chart code load on the first call, not when the library is imported). */
export async function renderHtmlReport(...args: Parameters<typeof import('./report/html.js').renderHtmlReport>): Promise<string> {
  return (await import('./report/html.js')).renderHtmlReport(...args);
}
export { compareRuns, type RunComparison, type PointComparison, type ComparisonRow, type CompareOptions, type Verdict as ChangeVerdict } from './report/compare.js';
export { formatComparison, formatComparisonMarkdown } from './report/compare-format.js';
export { formatSweepComparison, pointThroughput } from './report/comparison.js';

// The reference servers (options named like `inferbench serve`'s flags)
export type { ReferenceServer, ServeOptions } from './server/index.js';
export { parseServeOptions } from './server/serve-options.js';
/** The reference server (its routes load when it is started, not when the library is imported). */
export async function serve(...args: Parameters<typeof import('./server/index.js').serve>): Promise<import('./server/index.js').ReferenceServer> {
  return (await import('./server/reference-server.js')).serve(...args);
}
export { serveGrpc } from './server/serve-grpc-on-demand.js';
export type { ReferenceGrpcServer, GrpcServerOptions } from './server/grpc/index.js';

// Client overhead, calibration, scaling out
export { measureOverhead, overheadArms, type OverheadOptions, type OverheadReport, type ModeStats } from './run/overhead.js';
export { formatOverheadReport } from './report/overhead-table.js';
export { calibrate, type Calibration } from './run/calibrate.js';
export { kubernetesManifests, dockerfile, type KubernetesPlan } from './run/k8s.js';
export { parseSegment, type LoadShare } from './load/share.js';

// In-process targets and frames
export { syntheticImage, type SyntheticImageOptions } from './protocols/frames/images.js';
export type { LocalModelModule, LocalMode } from './protocols/local/load-module.js';

export { serve, type ReferenceServer } from './reference-server.js';
export { parseServeOptions, type ServeOptions, type LegacyServeOptions } from './serve-options.js';
export { DEFAULT_SERVER_OPTIONS, InvalidServerOptionsError, resolveServerOptions, type ReferenceServerOptions, type ServerSettings } from './options.js';
export {
  COUNT_FORMAT_HELP,
  DURATION_FORMAT_HELP,
  OptionFormatError,
  formatDistribution,
  parseDistribution,
  parseDurationFlag,
  sampleCount,
  sampleDistribution,
  sampleDurationMs,
  toDistribution,
  type Distribution,
  type DistributionInput,
  type DistributionUnit,
} from './distributions.js';
export { RequestPlanner, type DelayPlan, type Fault, type FaultKind, type FinishReason, type GenerationLimits, type StreamPlan } from './request-plan.js';
export {
  GroundTruthRecorder,
  GroundTruthStore,
  type EndReason,
  type GroundTruthEvent,
  type GroundTruthEventKind,
  type GroundTruthRecord,
  type MarkDetail,
  type PlanRecord,
} from './ground-truth.js';
export { Router, type Route, type RouteHandler, type RouteMatch, type RouteOptions } from './router.js';
export { REQUEST_ID_HEADER, RequestError, RouteContext, type ServerState } from './route-context.js';
export { answerWhenGenerated, scheduleChunks, streamGeneration, type StreamFormat, type StreamFrame, type TokenChunk, type WholeAnswerFormat } from './generation.js';
export { vllmErrorBody, vllmStreamErrorJson } from './error-body.js';
export { mulberry32, randomStream, RandomPurpose, standardNormal, type Random } from './seeded-random.js';
export { estimatePromptTokens, generateTokenTexts } from './text.js';

import { toDistribution, type Distribution, type DistributionInput } from '../distributions.js';

/** The reference gRPC server's behaviour. Durations accept numbers (ms) or the CLI forms ("20ms", "lognormal:20ms:0.2"). */
export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  seed: number;
  /** Detector: time to process one batch, before the per-frame part. */
  detectMs: DistributionInput;
  /** Detector: extra time per frame in a batch (batching pays off when this is below detectMs). */
  perFrameMs: number;
  /** DetectStream: frames the server gathers into one batch before processing. */
  batchSize: number;
  /** DetectStream: a partial batch is processed after its first frame waited this long. */
  batchTimeoutMs: number;
  boxesPerFrame: number;
  /** DetectBoxes: gap between streamed boxes. */
  boxIntervalMs: number;
  /** ModelStreamInfer: time to first token, gap between tokens, tokens per request (parameter max_tokens overrides). */
  ttftMs: DistributionInput;
  itlMs: DistributionInput;
  outputTokens: number;
  maxGroundTruthRecords: number;
}

export const DEFAULT_GRPC_SERVER_OPTIONS: GrpcServerOptions = {
  host: '127.0.0.1',
  port: 0,
  seed: 42,
  detectMs: 20,
  perFrameMs: 2,
  batchSize: 1,
  batchTimeoutMs: 1000,
  boxesPerFrame: 3,
  boxIntervalMs: 5,
  ttftMs: 20,
  itlMs: 10,
  outputTokens: 8,
  maxGroundTruthRecords: 100_000,
};

export interface GrpcServerSettings extends Omit<GrpcServerOptions, 'detectMs' | 'ttftMs' | 'itlMs'> {
  detectMs: Distribution;
  ttftMs: Distribution;
  itlMs: Distribution;
}

export function resolveGrpcServerOptions(options: Partial<GrpcServerOptions>): GrpcServerSettings {
  const o = { ...DEFAULT_GRPC_SERVER_OPTIONS, ...options };
  const problems: string[] = [];
  const dist = (v: DistributionInput, label: string): Distribution => {
    try {
      return toDistribution(v, 'ms', label);
    } catch (err) {
      problems.push((err as Error).message);
      return { kind: 'fixed', value: 0 };
    }
  };
  const settings: GrpcServerSettings = { ...o, detectMs: dist(o.detectMs, 'detectMs'), ttftMs: dist(o.ttftMs, 'ttftMs'), itlMs: dist(o.itlMs, 'itlMs') };
  for (const key of ['batchSize', 'boxesPerFrame', 'outputTokens'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) problems.push(`${key}: expected a whole number ≥ 1, got ${o[key]}`);
  }
  for (const key of ['perFrameMs', 'batchTimeoutMs', 'boxIntervalMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) problems.push(`${key}: expected milliseconds ≥ 0, got ${o[key]}`);
  }
  if (problems.length) throw new Error(`invalid gRPC server options: ${problems.join('; ')}`);
  return settings;
}

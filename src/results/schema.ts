import { z } from 'zod';
import { OUTCOME_KINDS } from '../model/timeline.js';
import { RESULTS_SCHEMA_VERSION, type Results } from '../model/results.js';
import { METRIC_FAMILIES } from '../model/metrics.js';

/**
 * The zod schema of {@link Results}: readResults validates files with it, and
 * scripts/write-schemas.ts writes schema/results.schema.json from it. The type checks at
 * the bottom fail to compile when this and types.ts drift apart.
 */

const count = z.number().int().nonnegative();
const finite = z.number();

export const summarySchema = z.object({
  count,
  mean: finite,
  std: finite,
  min: finite,
  max: finite,
  p50: finite,
  p90: finite,
  p95: finite,
  p99: finite,
  p999: finite,
});

export const metricUnitSchema = z.enum(['ms', 'tokens', 'tokens/s', 'count', 'ratio', 'bytes', 'chars/s', 's', 'frames/s', 'requests/s']);

export const metricResultSchema = z.object({
  unit: metricUnitSchema,
  summary: summarySchema,
  histogram: z.string().describe('base64 HDR histogram (encodeIntoCompressedBase64) of value × scale'),
  scale: z.number().positive(),
});

export const phaseCountsSchema = z.object({
  sent: count,
  completed: count,
  ok: count,
  failed: count,
  dropped: count,
  byOutcome: z.record(z.enum(OUTCOME_KINDS), count),
  byStatus: z.record(z.string(), count),
  errors: z.array(z.object({ message: z.string(), count })),
});

export const tokenAccountingSchema = z.object({
  source: z.enum(['usage', 'tokenizer', 'events', 'mixed', 'none']),
  totalOutputTokens: finite,
  usageTotal: finite.optional(),
  tokenizerTotal: finite.optional(),
  tokenizerCapChars: count.optional(),
  tokenizerEstimatedAnswers: count.optional(),
  eventsTotal: finite.optional(),
  input: z
    .object({
      source: z.enum(['usage', 'tokenizer', 'mixed']),
      totalInputTokens: finite,
      usageTotal: finite.optional(),
      tokenizerTotal: finite.optional(),
    })
    .optional(),
});

export const perSecondSeriesSchema = z.object({
  sent: z.array(count),
  ok: z.array(count),
  errors: z.array(count),
  outputTokens: z.array(finite).optional().describe('text: output tokens by arrival second'),
  frames: z.array(finite).optional().describe('frames: frames answered by arrival second'),
  audioSeconds: z.array(finite).optional().describe('audio: audio seconds received by arrival second'),
  inFlightMax: z.array(count),
  latencyP50: z.array(finite.nullable()),
  latencyP99: z.array(finite.nullable()),
  latencyHistograms: z.array(z.string().nullable()),
  ttftP50: z.array(finite.nullable()).optional(),
  ttftP99: z.array(finite.nullable()).optional(),
  ttftHistograms: z.array(z.string().nullable()).optional(),
  itlP50: z.array(finite.nullable()).optional(),
  itlP99: z.array(finite.nullable()).optional(),
  itlHistograms: z.array(z.string().nullable()).optional(),
});

export const subSecondSeriesSchema = z.object({
  bucketMs: z.number().positive(),
  sent: z.array(count),
  ok: z.array(count),
  errors: z.array(count),
  outputTokens: z.array(finite).optional(),
  latencyP50: z.array(finite.nullable()).optional(),
  latencyP99: z.array(finite.nullable()).optional(),
});

const callSampleSchema = z.object({
  index: count,
  startOffsetMs: finite,
  latencyMs: finite,
  ttftMs: finite.optional(),
  outputTokens: finite.optional(),
  outcome: z.enum(OUTCOME_KINDS),
  status: z.string().optional(),
  error: z.string().optional(),
  preview: z.string().optional(),
});

export const callSamplesSchema = z.object({ slowest: z.array(callSampleSchema), failed: z.array(callSampleSchema), failedCount: count });

export const clientHealthSchema = z.object({
  eventLoopDelayMs: z.object({ mean: finite, p99: finite, max: finite }),
  cpuPercent: finite,
  lateSendShare: z.number().min(0).max(1),
  clientBound: z.boolean(),
  threadBusyShare: z.number().min(0).max(1).optional(),
  lateSendThresholdMs: finite.optional(),
  machine: z
    .object({
      cores: count,
      loadAverage1m: finite,
      busyShare: z.number().min(0).max(1).optional(),
      stealShare: z.number().min(0).max(1).optional(),
    })
    .optional(),
  machineBusy: z.boolean().optional(),
  causes: z.array(z.enum(['client-cpu', 'client-starved', 'event-loop-stalls', 'late-sends', 'machine-busy'])).optional(),
});

export const phaseResultSchema = z.object({
  family: z.enum(METRIC_FAMILIES).describe('what the target answered with: which metrics this phase can have'),
  streamed: z.boolean(),
  inProcess: z.boolean().optional(),
  startedAtEpochMs: finite,
  firstStartOffsetMs: finite,
  durationMs: z.number().nonnegative(),
  counts: phaseCountsSchema,
  metrics: z.record(z.string(), metricResultSchema),
  throughput: z.object({
    requestsPerSecond: finite,
    outputTokensPerSecond: finite.optional(),
    peakOutputTokensPerSecond: finite.optional(),
    framesPerSecond: finite.optional(),
    peakFramesPerSecond: finite.optional(),
    inputTokensPerSecond: finite.optional(),
    totalTokensPerSecond: finite.optional(),
  }),
  concurrency: z.object({ mean: finite, max: finite }),
  tokens: tokenAccountingSchema.optional(),
  series: perSecondSeriesSchema,
  subSecond: subSecondSeriesSchema.optional(),
  calls: callSamplesSchema.optional(),
  clientHealth: clientHealthSchema,
  audio: z.object({ requests: count, totalSeconds: finite, audioSecondsPerSecond: finite, stalledRequests: count }).optional(),
  goodput: z
    .object({
      requests: count,
      metAll: count,
      share: finite,
      requestsPerSecond: finite,
      slos: z.array(z.object({ slo: z.string(), met: count, share: finite })),
    })
    .optional(),
  gpu: z
    .object({
      intervalMs: finite,
      samples: count,
      devices: z.array(
        z.object({
          index: count,
          name: z.string(),
          memoryTotalMiB: finite,
          memoryUsedMiB: z.object({ mean: finite, max: finite }),
          utilizationPercent: z.object({ mean: finite, max: finite }),
        }),
      ),
    })
    .optional(),
  serverMetrics: z
    .object({
      url: z.string(),
      scrapes: count,
      failedScrapes: count,
      counters: z.record(z.string(), z.object({ before: finite, after: finite, delta: finite, perSecond: finite })),
      gauges: z.record(z.string(), z.object({ min: finite, mean: finite, max: finite, last: finite })),
    })
    .optional(),
});

const latencyMsSchema = z.object({ mean_ms: finite, std_ms: finite, p50_ms: finite, p95_ms: finite, p99_ms: finite, min_ms: finite, max_ms: finite });

export const loadPointResultSchema = z.object({
  label: z.string(),
  load: z.record(z.string(), z.unknown()),
  target: z.record(z.string(), z.unknown()).optional(),
  text: z.object({ name: z.string(), words: count }).optional(),
  step: z.string().optional(),
  warmup: z.object({ sent: count, ok: count, failed: count, durationMs: finite }).optional(),
  measure: phaseResultSchema,
  stages: z
    .array(
      z.object({
        label: z.string(),
        startOffsetMs: finite,
        durationMs: finite,
        from: finite,
        to: finite,
        unit: z.enum(['users', 'requests/s']),
        measure: phaseResultSchema,
      }),
    )
    .optional(),
});

export const resultsSchema = z
  .object({
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
    tool: z.object({ name: z.literal('inferbench'), version: z.string() }),
    name: z.string(),
    startedAt: z.string().describe('ISO 8601'),
    startedAtEpochMs: finite,
    endedAt: z.string(),
    commandLine: z.array(z.string()),
    host: z.object({
      hostname: z.string(),
      platform: z.string(),
      arch: z.string(),
      cpus: count,
      cpuModel: z.string(),
      node: z.string(),
    }),
    gitSha: z.string().optional(),
    scenario: z.record(z.string(), z.unknown()),
    interrupted: z.boolean(),
    interruptReason: z.string().optional(),
    warnings: z.array(z.string()),
    segment: z.object({ index: count, count: z.number().int().positive() }).optional(),
    workers: z.number().int().positive().optional(),
    mergedFrom: z.object({ parts: z.number().int().positive(), files: z.array(z.string()) }).optional(),
    runId: z.string().optional(),
    setup: z.array(z.object({ step: z.string(), sent: count, ok: count, failed: count, durationMs: finite })).optional(),
    points: z.array(loadPointResultSchema),
    perText: z
      .object({
        results: z.record(
          z.string(),
          z.object({
            text_length_words: count,
            requests: count,
            audio_duration_ms: finite.optional(),
            latency: latencyMsSchema,
            ttfc: latencyMsSchema.optional(),
            rtf: finite.optional(),
            vram_peak_gb: finite.optional(),
          }),
        ),
        summary: z.object({ overall_mean_ms: finite, overall_p95_ms: finite, overall_rtf: finite.optional(), max_vram_gb: finite.optional() }),
      })
      .optional(),
    targets: z
      .array(
        z.object({
          metric: z.string(),
          target: z.string(),
          stretch: z.string().optional(),
          points: z.array(
            z.object({ label: z.string(), value: finite.optional(), measured: z.string().optional(), status: z.enum(['stretch', 'pass', 'miss', 'n/a']) }),
          ),
        }),
      )
      .optional(),
    capacity: z
      .object({
        over: z.enum(['concurrency', 'rate']),
        conditions: z.array(z.string()),
        requestsPerProbe: count,
        answer: z.string(),
        best: finite.optional(),
        firstFailing: finite.optional(),
        probes: z.array(
          z.object({
            load: finite,
            requests: count,
            ok: count,
            failed: count,
            met: z.boolean(),
            interrupted: z.boolean().optional(),
            verdicts: z.array(z.object({ condition: z.string(), met: z.boolean(), value: finite.optional() })),
          }),
        ),
      })
      .optional(),
    profile: z
      .object({
        name: z.enum(['sweep', 'throughput', 'synchronous']),
        synchronousRate: finite.optional(),
        throughputRate: finite.optional(),
        rates: z.array(finite).optional(),
        knee: z
          .object({
            synchronousLatencyP50Ms: finite,
            label: z.string().optional(),
            offeredRate: finite.optional(),
            achievedRate: finite.optional(),
            latencyP50Ms: finite.optional(),
            firstBehindLabel: z.string().optional(),
            firstBehindOfferedRate: finite.optional(),
            firstBehindAchievedRate: finite.optional(),
            firstBehindLatencyP50Ms: finite.optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .meta({ title: 'inferbench results', description: 'One inferbench run, as written to <name>_<YYYYMMDD_HHMMSS>.json' });

/** The JSON Schema (draft 2020-12) checked in as schema/results.schema.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(resultsSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

// Compile-time proof that the schema describes exactly `Results`, both ways.
type Parsed = z.infer<typeof resultsSchema>;
const parsedIsResults = (x: Parsed): Results => x;
const resultsIsParsed = (x: Results): Parsed => x;
void parsedIsResults;
void resultsIsParsed;

import { z } from 'zod';
import { OUTCOME_KINDS } from '../measure/timeline.js';
import type { Results } from './types.js';

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

export const metricUnitSchema = z.enum(['ms', 'tokens', 'tokens/s', 'count', 'ratio', 'bytes', 'chars/s', 's']);

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
  eventsTotal: finite.optional(),
});

export const perSecondSeriesSchema = z.object({
  sent: z.array(count),
  ok: z.array(count),
  errors: z.array(count),
  outputTokens: z.array(finite),
  inFlightMax: z.array(count),
  latencyP50: z.array(finite.nullable()),
  latencyP99: z.array(finite.nullable()),
  latencyHistograms: z.array(z.string().nullable()),
});

export const clientHealthSchema = z.object({
  eventLoopDelayMs: z.object({ mean: finite, p99: finite, max: finite }),
  cpuPercent: finite,
  lateSendShare: z.number().min(0).max(1),
  clientBound: z.boolean(),
});

export const phaseResultSchema = z.object({
  startedAtEpochMs: finite,
  firstStartOffsetMs: finite,
  durationMs: z.number().nonnegative(),
  counts: phaseCountsSchema,
  metrics: z.record(z.string(), metricResultSchema),
  throughput: z.object({
    requestsPerSecond: finite,
    outputTokensPerSecond: finite,
    peakOutputTokensPerSecond: finite,
  }),
  concurrency: z.object({ mean: finite, max: finite }),
  tokens: tokenAccountingSchema,
  series: perSecondSeriesSchema,
  clientHealth: clientHealthSchema,
});

export const loadPointResultSchema = z.object({
  label: z.string(),
  load: z.record(z.string(), z.unknown()),
  warmup: z.object({ sent: count, ok: count, failed: count, durationMs: finite }).optional(),
  measure: phaseResultSchema,
});

export const resultsSchema = z
  .object({
    schemaVersion: z.literal(1),
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
    points: z.array(loadPointResultSchema),
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

import { z } from 'zod';
import { targetSchema } from '../protocols/schemas.js';
import { durationMs, positiveInt } from './fields.js';
import { monitorField } from './monitor-field.js';

const arrivalSchema = z.enum(['constant', 'poisson', 'gamma']);

/**
 * WHEN requests are sent. `iterations` runs them one after another (like a hand-written
 * benchmark loop), `concurrency` keeps N in flight (closed loop), `rate` sends on a schedule
 * of intended start times whatever the server does (open loop; no coordinated omission).
 */
export const loadSchema = z
  .strictObject({
    mode: z.enum(['iterations', 'concurrency', 'rate']).optional(),
    /** Requests in the measure phase. */
    requests: positiveInt('requests').optional(),
    /** Wall-clock bound of the measure phase. */
    duration: durationMs.optional(),
    concurrency: positiveInt('concurrent requests').optional(),
    /** Closed loop: pause after each request before the worker sends its next. */
    think_time: durationMs.default(0),
    /** Open loop: requests per second. */
    rate: z.number().positive('expected a rate above 0 requests per second').optional(),
    arrival: arrivalSchema.default('poisson'),
    /** Gamma arrivals: 1 = Poisson, below 1 = burstier, above 1 = more regular (vLLM's --burstiness). */
    burstiness: z.number().positive().default(1),
    /** Open loop: arrivals that find this many requests in flight are dropped and counted. */
    max_in_flight: positiveInt('requests').optional(),
    seed: z.number().int().default(42),
  })
  .transform((load, ctx) => {
    const mode = load.mode ?? (load.rate !== undefined ? 'rate' : load.concurrency !== undefined ? 'concurrency' : 'iterations');
    if (mode === 'rate' && load.rate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rate'], message: 'mode "rate" needs a rate in requests per second, e.g. rate: 10' });
    }
    const requests = load.requests ?? (load.duration === undefined ? 100 : undefined);
    return { ...load, mode, requests, concurrency: load.concurrency ?? 1 };
  });
export type Load = z.output<typeof loadSchema>;

export const phasesSchema = z
  .strictObject({
    /** Requests (or seconds) sent before measuring, at the same load; never part of the results' metrics. */
    warmup: z
      .strictObject({ requests: z.number().int().min(0).optional(), duration: durationMs.optional() })
      .default({ requests: 0 }),
    /** Pause after the measure phase (lets a server drain before the next load point). */
    cooldown: durationMs.default(0),
  })
  .default({ warmup: { requests: 0 }, cooldown: 0 });

export const datasetSchema = z.strictObject({
  /** JSONL, JSON (array) or CSV file, or the built-in `tts-standard`; each row is available to templates as {{row.field}}. */
  path: z.string().min(1),
  format: z.enum(['jsonl', 'json', 'csv']).optional(),
  order: z.enum(['sequential', 'shuffle']).default('sequential'),
  /** Benchmark each row alone as its own load point (default for the built-in `tts-standard`). */
  each: z.boolean().optional(),
});

export const outputSchema = z
  .strictObject({
    /** Directory for `<name>_<YYYYMMDD_HHMMSS>.json`. */
    dir: z.string().default('benchmarks/results'),
    /** Exact results path (overrides dir). */
    file: z.string().optional(),
    /** Set false to write no results file. */
    write: z.boolean().default(true),
    /** Stream one row per request, as it completes, to `<results>.records.csv` / `.records.ndjson`. */
    records: z.enum(['csv', 'ndjson']).optional(),
  })
  .default({ dir: 'benchmarks/results', write: true });

export const stopSchema = z
  .strictObject({
    max_errors: z.number().int().positive().optional(),
    max_error_rate: z.number().gt(0).lte(1).optional(),
  })
  .default({});

/**
 * Load points run one after another, each with its own warmup and cooldown. The short form
 * varies one load field (`concurrency: [1, 2, 4, 8]` or `rate: [...]`); the long form lists
 * points that may also change the target (local vs API, unary vs stream, batch sizes).
 */
export const sweepSchema = z.union([
  z.strictObject({ concurrency: z.array(positiveInt('concurrent requests')).min(1) }),
  z.strictObject({ rate: z.array(z.number().positive()).min(1) }),
  /** Frames per request (target.batch_size) for frame-carrying targets: grpc, websocket, local. */
  z.strictObject({ batch_size: z.array(positiveInt('frames')).min(1) }),
  z.strictObject({
    points: z
      .array(
        z.strictObject({
          label: z.string().optional(),
          /** Fields laid over the scenario's `load` for this point. */
          load: z.record(z.string(), z.unknown()).optional(),
          /** Fields laid over the scenario's `target` for this point (may change the protocol). */
          target: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .min(1),
  }),
]);
export type Sweep = z.output<typeof sweepSchema>;

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-" only (it becomes the results file name)')
    .default('inferbench'),
  description: z.string().optional(),
  target: targetSchema,
  load: loadSchema.prefault({}),
  phases: phasesSchema,
  sweep: sweepSchema.optional(),
  dataset: datasetSchema.optional(),
  /** Client-side token counting (gpt-tokenizer) when the server reports no usage, and beside usage when it does. */
  tokenizer: z.enum(['auto', 'none']).default('auto'),
  output: outputSchema,
  stop: stopSchema,
  // Conditions (thresholds, slo, targets) are one language (conditions/), checked after parsing
  // against what the target can produce: see scenario/check-conditions.ts.
  /** Checked after the run, e.g. "p95(latency)<500ms", "error_rate<1%"; any failure exits 3. */
  thresholds: z.array(z.string()).default([]),
  /** Per-request SLOs for goodput, e.g. ["ttft<=400ms", "rtf<=0.5"]. */
  slo: z.array(z.string()).optional(),
  /** Targets table: a row per metric with its target and stretch goal, judged after the run and printed with PASS/MISS. */
  targets: z
    .array(
      z.strictObject({
        /** How the table names the row, e.g. "TTFC" or "P95 Latency". */
        metric: z.string().min(1),
        target: z.string(),
        stretch: z.string().optional(),
      }),
    )
    .optional(),
  /** GPU sampling and server metrics during measure phases. */
  monitor: monitorField.optional(),
});

/** A validated scenario with every default filled. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a user writes (YAML/JSON or the library API). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

import { z } from 'zod';
import { targetSchema } from '../protocols/schemas.js';
import { durationMs, positiveInt } from './fields.js';
import { monitorField } from './monitor-field.js';
import { WORKLOAD_PROTOCOLS, workloadSchema } from '../workload/schema.js';

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

/** `--profile`: run stages whose loads follow from what the stages before them measured (run/profile.ts). */
export const PROFILE_NAMES = ['sweep', 'throughput', 'synchronous'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const profileSchema = z.union(
  [
  z.enum(PROFILE_NAMES).transform((name) => ({ name, rates: 8, max_concurrency: 64 })),
  z.strictObject({
    name: z.enum(PROFILE_NAMES),
    /** Open-loop rates between synchronous and throughput (sweep). */
    rates: z.number().int().positive().max(100).default(8),
    /** Requests kept in flight by the throughput stage. */
    max_concurrency: z.number().int().positive().default(64),
  }),
  ],
  { error: `expected one of ${PROFILE_NAMES.join(', ')} (or { name, rates, max_concurrency })` },
);
export type Profile = z.output<typeof profileSchema>;


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
  /** GuideLLM-style profile: synchronous, throughput, or a sweep of rates between them (replaces load and sweep). */
  profile: profileSchema.optional(),
  dataset: datasetSchema.optional(),
  /**
   * Client-side tokenizer: counts tokens when the server reports no usage (and beside its usage
   * when it does) and builds the workload's prompts. `auto` (o200k_base), `cl100k_base`,
   * `none`, or the path of a model's tokenizer.json (or its folder), e.g. ./Llama-3.1-8B/tokenizer.json.
   */
  tokenizer: z.string().min(1, 'give auto, none, o200k_base, cl100k_base or the path of a tokenizer.json').default('auto'),
  /** LLM workload generators: synthetic prompts of N ± σ tokens, output lengths, a shared prefix, multi-turn sessions. */
  workload: workloadSchema.optional(),
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
}).superRefine((s, ctx) => {
  if (s.profile && s.sweep) ctx.addIssue({ code: 'custom', path: ['profile'], message: 'a profile chooses its own load points; drop either profile or sweep' });
  if (s.workload && !WORKLOAD_PROTOCOLS.includes(s.target.protocol)) {
    ctx.addIssue({ code: 'custom', path: ['workload'], message: `the LLM workload generators send prompts through ${WORKLOAD_PROTOCOLS.join(', ')}; target.protocol is ${s.target.protocol}` });
  }
});


/** A validated scenario with every default filled. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a user writes (YAML/JSON or the library API). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

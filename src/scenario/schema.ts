import { z } from 'zod';
import { targetSchema } from '../protocols/schemas.js';
import { durationMs, positiveInt } from './fields.js';
import { monitorField } from './monitor-field.js';
import { WORKLOAD_PROTOCOLS, workloadSchema } from '../workload/schema.js';

const arrivalSchema = z.enum(['constant', 'poisson', 'gamma']);

/**
 * A closed loop's pause between a worker's requests: a duration, or random between two bounds
 * (locust's `between(1, 3)`): `"1s..3s"` or `{ min: 1s, max: 3s }`. Parsed to `{ minMs, maxMs }`.
 */
export const thinkTimeField = z
  .union([z.string(), z.number(), z.strictObject({ min: durationMs, max: durationMs })])
  .transform((value, ctx) => {
    if (typeof value === 'object') {
      if (value.max < value.min) ctx.addIssue({ code: 'custom', message: `max (${value.max} ms) is below min (${value.min} ms)` });
      return { minMs: value.min, maxMs: value.max };
    }
    const range = typeof value === 'string' ? /^\s*([^.]+?)\s*\.\.\s*(.+?)\s*$/.exec(value) : null;
    const [minText, maxText] = range ? [range[1]!, range[2]!] : [value, value];
    const min = durationMs.safeParse(minText);
    const max = durationMs.safeParse(maxText);
    if (!min.success || !max.success) {
      ctx.addIssue({ code: 'custom', message: `expected a duration ("500ms") or a range between two ("1s..3s"), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if (max.data < min.data) ctx.addIssue({ code: 'custom', message: `the upper bound of ${JSON.stringify(value)} is below the lower one` });
    return { minMs: min.data, maxMs: max.data };
  });
export type ThinkTime = z.output<typeof thinkTimeField>;

/**
 * One stage of a ramped load (k6's `stages`): over `duration`, concurrency (closed loop, k6
 * ramping-vus) or the arrival rate (open loop, k6 ramping-arrival-rate) moves in a straight line
 * from where the previous stage ended to this stage's value. A stage that repeats the previous
 * value holds it.
 */
export const stageSchema = z.strictObject({
  duration: durationMs,
  concurrency: z.number().int('expected a whole number of concurrent requests').min(0).optional(),
  rate: z.number().min(0, 'expected a rate of at least 0 requests per second').optional(),
  label: z.string().optional(),
});
export type Stage = z.output<typeof stageSchema>;

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
    /** Closed loop: pause after each request before the worker sends its next; a duration or a range ("1s..3s"). */
    think_time: thinkTimeField.optional(),
    /** Open loop: requests per second. */
    rate: z.number().positive('expected a rate above 0 requests per second').optional(),
    arrival: arrivalSchema.default('poisson'),
    /** Gamma arrivals: 1 = Poisson, below 1 = burstier, above 1 = more regular (vLLM's --burstiness). */
    burstiness: z.number().positive().default(1),
    /** Open loop: arrivals that find this many requests in flight are dropped and counted. */
    max_in_flight: positiveInt('requests').optional(),
    /** Load that changes in stages (ramps); each stage's results are kept apart. */
    stages: z.array(stageSchema).min(1).optional(),
    /** Closed loop: start users at this many per second up to `concurrency`, then hold (locust's --spawn-rate). */
    spawn_rate: z.number().positive('expected users per second above 0').optional(),
    seed: z.number().int().default(42),
  })
  .transform((load, ctx) => {
    const stagesRate = load.stages?.some((s) => s.rate !== undefined);
    const stagesUsers = load.stages?.some((s) => s.concurrency !== undefined);
    const mode = load.mode ?? (load.rate !== undefined || stagesRate ? 'rate' : load.concurrency !== undefined || stagesUsers || load.spawn_rate !== undefined ? 'concurrency' : 'iterations');
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (mode === 'rate' && load.rate === undefined && !stagesRate) issue('rate', 'mode "rate" needs a rate in requests per second, e.g. rate: 10');
    // A field of the other loop would be silently ignored: say so instead.
    if (mode === 'rate') {
      if (load.concurrency !== undefined) {
        issue('concurrency', 'an open loop (rate) sends on its schedule whatever is in flight, so concurrency would be ignored; remove one of rate and concurrency (to cap requests in flight in an open loop use max_in_flight / --max-in-flight)');
      }
      if (load.think_time !== undefined && load.think_time.maxMs > 0) issue('think_time', 'think time paces a closed loop; an open loop (rate) has none: remove think_time, or use concurrency instead of rate');
      if (load.spawn_rate !== undefined) issue('spawn_rate', 'spawn_rate starts closed-loop users; an open loop (rate) ramps with stages: [{duration: 30s, rate: 50}]');
      if (stagesUsers) issue('stages', 'a stage sets concurrency but the load is an open loop (rate); give every stage a rate');
    } else {
      if (load.rate !== undefined) issue('rate', `mode "${mode}" is a closed loop, so rate would be ignored; remove one of rate and ${mode === 'concurrency' ? 'concurrency' : 'mode'}`);
      if (load.max_in_flight !== undefined) issue('max_in_flight', 'max_in_flight caps an open loop (rate); a closed loop keeps exactly concurrency requests in flight');
      if (stagesRate) issue('stages', 'a stage sets rate but the load is a closed loop; give every stage a concurrency');
    }
    if (mode === 'iterations' && load.stages) issue('stages', 'iterations run one at a time; stages need concurrency or rate in each stage');
    for (const [i, stage] of (load.stages ?? []).entries()) {
      if (stage.rate === undefined && stage.concurrency === undefined) ctx.addIssue({ code: 'custom', path: ['stages', i], message: 'give the stage its target: concurrency (users) or rate (requests per second)' });
    }
    if (load.stages && (load.requests !== undefined || load.duration !== undefined)) {
      issue('stages', 'a staged load lasts as long as its stages; remove requests and duration (or add a stage)');
    }
    if (load.spawn_rate !== undefined && load.stages) issue('spawn_rate', 'use either spawn_rate or stages, not both');
    if (load.spawn_rate !== undefined && load.duration === undefined) issue('spawn_rate', 'spawn_rate ramps users up over time; give the run a duration (e.g. duration: 5m), as locust --run-time');
    const stages = load.stages ?? spawnStages(load.concurrency ?? 1, load.spawn_rate, load.duration);
    const requests = stages ? undefined : (load.requests ?? (load.duration === undefined ? 100 : undefined));
    return { ...load, mode, requests, concurrency: load.concurrency ?? 1, think_time: load.think_time ?? { minMs: 0, maxMs: 0 }, stages };
  });
export type Load = z.output<typeof loadSchema>;

/** locust's `--users N --spawn-rate R --run-time T` as two stages: ramp up at R users/s, then hold N until T. */
function spawnStages(users: number, spawnRate: number | undefined, durationMs: number | undefined): Stage[] | undefined {
  if (spawnRate === undefined || durationMs === undefined) return undefined;
  const rampMs = Math.min(durationMs, (users / spawnRate) * 1000);
  const stages: Stage[] = [{ duration: rampMs, concurrency: users, label: 'ramp-up' }];
  if (durationMs > rampMs) stages.push({ duration: durationMs - rampMs, concurrency: users, label: 'steady' });
  return stages;
}

export const phasesSchema = z
  .strictObject({
    /** Requests (or seconds) sent before measuring, at the same load; never part of the results' metrics. */
    warmup: z
      .strictObject({
        requests: z.number().int().min(0).optional(),
        duration: durationMs.optional(),
        /** One request at a time, whatever the load (the notebook's warmup loop). */
        sequential: z.boolean().default(false),
      })
      .default({ requests: 0, sequential: false }),
    /** Pause after the measure phase (lets a server drain before the next load point). */
    cooldown: durationMs.default(0),
  })
  .default({ warmup: { requests: 0, sequential: false }, cooldown: 0 });
export type Phases = z.output<typeof phasesSchema>;

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
    /** Speech over named texts: also write `<results>.tts.json` in the TTS team's own results layout (metadata, configuration, results.<text>, summary). */
    tts_layout: z.boolean().optional(),
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

/** A value a step names for each of its calls, from what it sent (a template) or from the response. */
const valuesField = z.record(z.string().regex(/^[A-Za-z_][\w]*$/, 'value names are letters, digits and _'), z.unknown());

/** What a step (or a plain scenario, which is one step) names and records per call. */
const callFields = {
  /**
   * Values each call names, rendered before it is sent (templates: {{index}}, {{run_id}}, ...);
   * the target's templates use them as {{name}}, later steps as {{steps.<step>.<name>}}.
   */
  values: valuesField.optional(),
  /** Values read from each ok response's JSON by path, e.g. `model_id: result.model.id`. */
  capture: z.record(z.string().regex(/^[A-Za-z_][\w]*$/, 'value names are letters, digits and _'), z.string().min(1)).optional(),
  /** Extra per-call record columns: names of values or captures (e.g. [series_id]). */
  record: z.array(z.string().min(1)).optional(),
};

/**
 * One step of a scenario: its own target, load, phases and records, laid over the scenario's
 * (so the fields every step shares are written once at the top). `setup` steps run unmeasured,
 * like k6's setup(); their values still feed later steps.
 */
export const stepSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only (templates name it: {{steps.<name>.value}})'),
  description: z.string().optional(),
  setup: z.boolean().default(false),
  target: z.record(z.string(), z.unknown()).optional(),
  load: z.record(z.string(), z.unknown()).optional(),
  phases: z.record(z.string(), z.unknown()).optional(),
  ...callFields,
});
export type Step = z.output<typeof stepSchema>;
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
  /** With `steps`: the fields every step shares (each step's target is laid over it); validated as the first step's target. */
  target: targetSchema,
  load: loadSchema.prefault({}),
  phases: phasesSchema,
  sweep: sweepSchema.optional(),
  /** A sequence of named steps, run in order (fit, then predict the series fit created). */
  steps: z.array(stepSchema).min(1).optional(),
  ...callFields,
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

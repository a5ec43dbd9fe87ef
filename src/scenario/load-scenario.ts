import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { resolveScenarioPaths } from './paths.js';
import { z } from 'zod';
import { ConfigError, closest, type ConfigProblem } from '../model/config-error.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { stepPoints } from './load-points.js';
import { registerCredentials, SecretRegistry, substituteEnv } from './secrets.js';
import { deeperThan, MAX_SCENARIO_DEPTH, parseScenarioText } from './scenario-text.js';
import { producibleOf, scenarioConditionProblems, type ConditionOrigins } from './check-conditions.js';

export interface LoadedScenario {
  scenario: Scenario;
  /** Values to hide from every file and log written for this scenario. */
  secrets: SecretRegistry;
  /** The scenario as written, after ${ENV} substitution and before defaults (sweeps lay their overrides on it). */
  raw: Record<string, unknown>;
}

/** Reads a YAML or JSON scenario file. Every problem is reported at once, with its path and the fix. */
export async function loadScenarioFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  // Parsed in time linear in the text, with a nesting limit (scenario-text.ts).
  const raw = parseScenarioText(text, path);
  return resolveScenario(resolveScenarioPaths(raw, dirname(resolvePath(path))), env, path);
}

/**
 * Validates a scenario object (from a file, from CLI flags, or from the library API):
 * substitutes `${ENV}` values (registering them as secrets), fills defaults, checks its
 * conditions against what the target can produce, and collects every problem into one
 * ConfigError. `origins` says which conditions came from flags, for the messages.
 */
export function resolveScenario(raw: unknown, env: NodeJS.ProcessEnv = process.env, source?: string, origins?: ConditionOrigins): LoadedScenario {
  const secrets = new SecretRegistry();
  const tooDeep = deeperThan(raw, MAX_SCENARIO_DEPTH);
  if (tooDeep !== undefined) {
    throw new ConfigError([{ path: tooDeep, message: `nested deeper than ${MAX_SCENARIO_DEPTH} levels; a scenario needs a few (request bodies a dozen or so): is this the right file?` }], source);
  }
  const { value, missing } = substituteEnv(raw, env, secrets);
  registerCredentials(value, secrets);
  const problems: ConfigProblem[] = missing.map((m) => ({
    path: m.path,
    message: `environment variable ${m.name} is not set; export it, or write \${${m.name}:-default}`,
  }));
  const stepped = withFirstStepTarget(value);
  const parsed = scenarioSchema.safeParse(stepped);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => describeIssue(issue, stepped));
    // With steps, the top-level target is the first step's: each step's target is reported with its own path below.
    problems.push(...(stepped === value ? issues : issues.filter((p) => !/^target\b/.test(p.path))));
  }
  if (stepped !== value) {
    try {
      stepPoints(value as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  const target = parsed.success ? parsed.data.target : (stepped as { target?: unknown } | undefined)?.target;
  problems.push(...scenarioConditionProblems(stepped, producibleOf(target), origins));
  if (problems.length) throw new ConfigError(problems.map((p) => ({ ...p, message: secrets.redactText(p.message) })), source);
  return { scenario: parsed.data!, secrets, raw: value as Record<string, unknown> };
}

/**
 * With `steps`, the top-level target holds only what every step shares; it is validated (and
 * reported as `scenario.target`) as the first step's whole target. Each step's own target is
 * validated with its path by load-points.ts.
 */
function withFirstStepTarget(value: unknown): unknown {
  const v = value as { steps?: unknown; target?: unknown } | undefined;
  if (!v || !Array.isArray(v.steps) || v.steps.length === 0) return value;
  const first = (v.steps[0] ?? {}) as { target?: unknown };
  const shared = v.target && typeof v.target === 'object' ? v.target : {};
  const own = first.target && typeof first.target === 'object' ? first.target : {};
  return { ...v, target: { ...shared, ...own } };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path, input);
    return issue.keys.map((key) => {
      const hint = allowed ? closest(key, allowed) : undefined;
      const fix = hint ? `did you mean "${hint}"?` : allowed ? `allowed fields: ${allowed.join(', ')}` : 'remove it';
      return { path: path ? `${path}.${key}` : key, message: `unknown field; ${fix}` };
    });
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'protocol') {
    const got = valueAt(issue.path, input);
    const names = [...((issue as { options?: unknown[] }).options ?? [])].map(String).sort();
    const hint = typeof got === 'string' ? closest(got, names) : undefined;
    const what = got === undefined ? 'required' : `unknown protocol ${JSON.stringify(got)}${hint ? `; did you mean "${hint}"?` : ''}`;
    return [{ path, message: `${what} (one of: ${names.join(', ')}; \`inferbench protocols\` lists them)` }];
  }
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'target') {
    return [{ path, message: issue.message }];
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const got = valueAt(issue.path, input);
    return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(got)}` }];
  }
  if (issue.code === 'invalid_type') {
    const got = valueAt(issue.path, input);
    if (got === undefined) return [{ path, message: `required (expected ${issue.expected})` }];
    return [{ path, message: `expected ${issue.expected}, got ${JSON.stringify(got)}` }];
  }
  return [{ path, message: issue.message }];
}

function valueAt(path: PropertyKey[], input: unknown): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The field names a strict object accepts at `path`, read from the schema itself. */
function allowedKeysAt(path: PropertyKey[], input: unknown): string[] | undefined {
  let schema: z.ZodType | undefined = scenarioSchema;
  let value: unknown = input;
  for (let i = 0; i <= path.length; i++) {
    schema = unwrap(schema, value);
    if (i === path.length) break;
    const key = path[i]!;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if (schema instanceof z.ZodObject) schema = schema.shape[key as string] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return undefined;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  for (let depth = 0; schema && depth < 10; depth++) {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodNullable) {
      schema = schema.unwrap() as z.ZodType;
    } else if (schema instanceof z.ZodPipe) {
      schema = schema.in as z.ZodType;
    } else if (schema instanceof z.ZodDiscriminatedUnion) {
      const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[schema.def.discriminator] : undefined;
      schema = (schema.options as z.ZodType[]).find((o) => o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)[schema instanceof z.ZodDiscriminatedUnion ? schema.def.discriminator : '']?.safeParse(tag).success);
    } else {
      return schema;
    }
  }
  return schema;
}

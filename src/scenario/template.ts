import type { BuildModuleResult, TemplateVars } from '../protocols/types.js';

export type { BuildModuleResult };
import { mixSeed, seededRng, uuidFrom, type Rng } from '../random.js';

/**
 * Request templates: any JSON value whose strings may hold placeholders.
 *   {{index}}                   call index in the phase
 *   {{seed}}                    a per-request seed derived from the scenario seed and the index
 *   {{run_id}}                  the run's id (its UTC start, YYYYMMDD_HHMMSS), the same for every call
 *   {{phase}}                   warmup or measure
 *   {{uuid}}                    a seeded UUID v4
 *   {{random.uniform a b}}      a seeded number in [a, b)
 *   {{random.int a b}}          a seeded integer in [a, b]
 *   {{random.choice x y z}}     one of the words, seeded
 *   {{timestamp}} {{timestamp +N}}        epoch seconds when the request was built (+N seconds)
 *   {{timestamp_ms}} {{timestamp_ms +N}}  epoch milliseconds (+N ms)
 *   {{datetime}}                ISO 8601 UTC time when the request was built
 *   {{name}}                    the call's own value `name` (step `values`), else the dataset row's field
 *   {{row.field}}               a field of the dataset row
 *   {{steps.fit.series_id}}     the value `series_id` of call i of the earlier step `fit`
 * A string that is exactly one placeholder takes the value's own type (a number stays a number).
 *
 * Every placeholder is its own seeded draw: six `{{random.uniform 9.2 10.8}}` in one body give six
 * values, and the same seed gives the same six. Each draw's seed mixes the request's seed, the part
 * of the request it sits in (`site`: url, headers, body, ...) and the placeholder's position there,
 * so adding a placeholder in the body never changes what the url drew.
 * Templates are compiled once; rendering per request walks precomputed parts.
 */
export type CompiledTemplate = (vars: TemplateVars) => unknown;

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

export class TemplateError extends Error {}

/** Where a template sits in a request; each site draws its own random values. */
export type TemplateSite = 'url' | 'query' | 'headers' | 'body' | 'values' | 'metadata' | 'message' | string;

interface CompileState {
  siteSeed: number;
  next: number;
}

export function compileTemplate(template: unknown, site: TemplateSite = 'body'): CompiledTemplate {
  return compileValue(template, { siteSeed: hashSite(site), next: 0 });
}

function compileValue(template: unknown, state: CompileState): CompiledTemplate {
  if (typeof template === 'string') return compileString(template, state);
  if (Array.isArray(template)) {
    const parts = template.map((t) => compileValue(t, state));
    return (vars) => parts.map((p) => p(vars));
  }
  if (template && typeof template === 'object') {
    const entries = Object.entries(template).map(([k, v]) => [k, compileValue(v, state)] as const);
    return (vars) => {
      const out: Record<string, unknown> = {};
      for (const [k, p] of entries) out[k] = p(vars);
      return out;
    };
  }
  return () => template;
}

/** True when the value holds at least one placeholder (so a constant body can be serialized once). */
export function hasPlaceholders(template: unknown): boolean {
  if (typeof template === 'string') return /\{\{[^}]+\}\}/.test(template);
  if (Array.isArray(template)) return template.some(hasPlaceholders);
  if (template && typeof template === 'object') return Object.values(template).some(hasPlaceholders);
  return false;
}

/** Every placeholder expression in a template ("row.text", "random.uniform 1 2", ...), for config-time checks. */
export function placeholdersOf(template: unknown): string[] {
  if (typeof template === 'string') return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (Array.isArray(template)) return template.flatMap(placeholdersOf);
  if (template && typeof template === 'object') return Object.values(template).flatMap(placeholdersOf);
  return [];
}

/**
 * Checks every placeholder of a template compiles (known helper, numbers where numbers are
 * needed) and returns the problems as messages, without rendering anything.
 */
export function templateProblems(template: unknown): string[] {
  const problems: string[] = [];
  for (const expr of placeholdersOf(template)) {
    try {
      resolver(expr, 0, 0);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

function compileString(text: string, state: CompileState): CompiledTemplate {
  const pieces: (string | Resolver)[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) pieces.push(text.slice(last, m.index));
    pieces.push(resolver(m[1]!, state.siteSeed, state.next++));
    last = m.index! + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  if (pieces.length === 0) return () => '';
  if (pieces.length === 1 && typeof pieces[0] === 'string') return () => text;
  if (pieces.length === 1) return pieces[0] as Resolver;
  return (vars) => {
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') out += p;
      else {
        const v = p(vars);
        out += typeof v === 'string' ? v : JSON.stringify(v);
      }
    }
    return out;
  };
}

type Resolver = (vars: TemplateVars) => unknown;

/** The draw of placeholder `slot` of a site, for one request: its own generator, seeded from all three. */
function drawFor(vars: TemplateVars, siteSeed: number, slot: number): Rng {
  return seededRng(mixSeed(mixSeed(vars.seed, siteSeed), slot));
}

function hashSite(site: string): number {
  let h = 0x7e3a;
  for (let i = 0; i < site.length; i++) h = mixSeed(h, site.charCodeAt(i));
  return h;
}

function offsetArg(expr: string, args: string[]): number {
  if (args.length === 0) return 0;
  const n = Number(args.join(''));
  if (args.length > 2 || !Number.isFinite(n)) throw new TemplateError(`{{${expr}}}: expected an offset such as +5 or -2, got "${args.join(' ')}"`);
  return n;
}

function resolver(expr: string, siteSeed: number, slot: number): Resolver {
  const [head, ...args] = expr.split(/\s+/);
  const draw = (v: TemplateVars) => drawFor(v, siteSeed, slot);
  switch (head) {
    case 'index':
      return (v) => v.index;
    case 'seed':
      return (v) => v.seed;
    case 'run_id':
      return (v) => v.runId ?? '';
    case 'phase':
      return (v) => v.phase ?? 'measure';
    case 'uuid':
      return (v) => uuidFrom(draw(v));
    case 'timestamp': {
      const offset = offsetArg(expr, args);
      return () => Math.floor(Date.now() / 1000) + offset;
    }
    case 'timestamp_ms': {
      const offset = offsetArg(expr, args);
      return () => Date.now() + offset;
    }
    case 'datetime':
      return () => new Date().toISOString();
    case 'random.uniform':
    case 'random.int': {
      const [a, b] = args.map(Number);
      if (args.length !== 2 || !Number.isFinite(a) || !Number.isFinite(b)) {
        throw new TemplateError(`{{${expr}}}: expected two numbers, e.g. {{${head} 1 10}}`);
      }
      return head === 'random.int' ? (v) => Math.floor(a! + draw(v)() * (b! - a! + 1)) : (v) => a! + draw(v)() * (b! - a!);
    }
    case 'random.choice': {
      if (args.length === 0) throw new TemplateError(`{{${expr}}}: list the choices, e.g. {{random.choice red green blue}}`);
      return (v) => args[Math.floor(draw(v)() * args.length)];
    }
    default:
      if (head!.startsWith('random.')) throw new TemplateError(`{{${expr}}}: unknown helper "${head}"; use random.uniform, random.int or random.choice`);
      if (head!.startsWith('steps.')) return stepValue(expr, head!.slice(6).split('.'));
      if (head!.startsWith('row.')) return rowField(expr, head!.slice(4).split('.'));
      return callValue(expr, head!.split('.'));
  }
}

function walk(root: unknown, path: string[]): unknown {
  let cur = root;
  for (const key of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

function rowField(expr: string, path: string[]): Resolver {
  return (v) => {
    if (!v.row) throw new TemplateError(`{{${expr}}} needs a dataset (scenario "dataset:") with that field`);
    const value = walk(v.row, path);
    if (value === undefined) throw new TemplateError(`{{${expr}}}: the dataset row has no field "${path.join('.')}"`);
    return value;
  };
}

/** A bare name: the call's own value (step `values`, a build module's `values`) first, else the dataset row's field. */
function callValue(expr: string, path: string[]): Resolver {
  return (v) => {
    if (v.values && path[0]! in v.values) return walk(v.values, path);
    if (!v.row) {
      throw new TemplateError(`{{${expr}}}: no value "${path[0]}" for this call; declare it under the step's "values:", or add a dataset with that field`);
    }
    const value = walk(v.row, path);
    if (value === undefined) throw new TemplateError(`{{${expr}}}: neither this call's values nor the dataset row have "${path.join('.')}"`);
    return value;
  };
}

function stepValue(expr: string, path: string[]): Resolver {
  if (path.length < 2) throw new TemplateError(`{{${expr}}}: name the step and its value, e.g. {{steps.fit.series_id}}`);
  const [step, ...rest] = path;
  return (v) => {
    const values = v.steps?.[step!];
    if (!values) throw new TemplateError(`{{${expr}}}: no values from an earlier step "${step}" for this call`);
    const value = walk(values, rest);
    if (value === undefined) throw new TemplateError(`{{${expr}}}: step "${step}" has no value "${rest.join('.')}"`);
    return value;
  };
}

/** The parts of an HTTP request a target declares, each templated. */
export interface HttpRequestTemplate {
  url: string;
  headers?: Record<string, string>;
  /** Query parameters added to the URL. */
  query?: Record<string, unknown>;
  /** A JSON value (sent as JSON) or a string (sent as is). */
  body?: unknown;
  /** Content type of a string body (JSON bodies are application/json). */
  contentType?: string;
}

/** One request, ready for the wire. */
export interface HttpRequestParts {
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Compiles an HTTP request's url (path and query), headers and body into one renderer: every
 * part is templated with independent draws, parts without placeholders are computed once, and a
 * build module's parts (`vars.built`) replace the templates they name. Every HTTP-based protocol
 * renders its requests through here.
 */
export function compileHttpRequest(template: HttpRequestTemplate): (vars: TemplateVars) => HttpRequestParts {
  const url = compileTemplate(template.url, 'url');
  const query = template.query && Object.keys(template.query).length ? compileTemplate(template.query, 'query') : undefined;
  const headers = compileTemplate(template.headers ?? {}, 'headers');
  const constantHeaders = hasPlaceholders(template.headers ?? {}) ? undefined : (template.headers ?? {});
  const constantUrl = !hasPlaceholders(template.url) && !query ? template.url : undefined;
  const body = template.body;
  const serialize = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value));
  const constantBody = hasPlaceholders(body) ? undefined : serialize(body);
  const renderBody = constantBody === undefined && body !== undefined ? compileTemplate(body, 'body') : undefined;
  const contentTypeOf = (value: unknown) => (typeof value === 'string' ? (template.contentType ?? 'text/plain') : 'application/json');

  // A request without placeholders is the same every time: built once, handed out as is.
  let fixed: HttpRequestParts | undefined;
  const render = (vars: TemplateVars): HttpRequestParts => {
    const built = vars.built;
    const q = built?.query ?? (query?.(vars) as Record<string, unknown> | undefined);
    let u = built?.url ?? constantUrl ?? String(url(vars));
    if (q && Object.keys(q).length) {
      const parsed = new URL(u);
      for (const [k, v] of Object.entries(q)) parsed.searchParams.set(k, String(v));
      u = parsed.toString();
    }
    const h = { ...(constantHeaders ?? (headers(vars) as Record<string, string>)), ...built?.headers };
    let b = constantBody;
    let contentType = constantBody === undefined ? undefined : contentTypeOf(body);
    if (built?.body !== undefined || renderBody) {
      const value = built?.body !== undefined ? built.body : renderBody!(vars);
      b = serialize(value);
      contentType = contentTypeOf(value);
    }
    if (b !== undefined && !hasHeader(h, 'content-type')) h['content-type'] = contentType!;
    return b === undefined ? { url: u, headers: h } : { url: u, headers: h, body: b };
  };
  const constant = constantUrl !== undefined && constantHeaders !== undefined && renderBody === undefined;
  return (vars) => (constant && !vars.built ? (fixed ??= render(vars)) : render(vars));
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

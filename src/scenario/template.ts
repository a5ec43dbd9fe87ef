import type { TemplateVars } from '../protocols/types.js';
import { mixSeed, seededRng, uuidFrom } from '../random.js';

/**
 * Request templates: any JSON value whose strings may hold placeholders.
 *   {{index}}                 call index in the phase
 *   {{seed}}                  a per-request seed derived from the scenario seed and the index
 *   {{uuid}}                  a seeded UUID v4
 *   {{random.uniform a b}}    a seeded number in [a, b)
 *   {{random.int a b}}        a seeded integer in [a, b]
 *   {{row.field}} / {{field}} a field of the dataset row
 * A string that is exactly one placeholder takes the value's own type (a number stays a number).
 * Templates are compiled once; rendering per request walks precomputed parts.
 */
export type CompiledTemplate = (vars: TemplateVars) => unknown;

const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

export class TemplateError extends Error {}

export function compileTemplate(template: unknown): CompiledTemplate {
  if (typeof template === 'string') return compileString(template);
  if (Array.isArray(template)) {
    const parts = template.map(compileTemplate);
    return (vars) => parts.map((p) => p(vars));
  }
  if (template && typeof template === 'object') {
    const entries = Object.entries(template).map(([k, v]) => [k, compileTemplate(v)] as const);
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

function compileString(text: string): CompiledTemplate {
  const pieces: (string | Resolver)[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index! > last) pieces.push(text.slice(last, m.index));
    pieces.push(resolver(m[1]!));
    last = m.index! + m[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  if (pieces.length === 0) return () => '';
  if (pieces.length === 1 && typeof pieces[0] === 'string') return () => text;
  if (pieces.length === 1) {
    const only = pieces[0] as Resolver;
    return (vars) => only(vars, rngFor(vars));
  }
  return (vars) => {
    const rng = rngFor(vars);
    let out = '';
    for (const p of pieces) {
      if (typeof p === 'string') out += p;
      else {
        const v = p(vars, rng);
        out += typeof v === 'string' ? v : JSON.stringify(v);
      }
    }
    return out;
  };
}

type Resolver = (vars: TemplateVars, rng: () => number) => unknown;

function rngFor(vars: TemplateVars): () => number {
  return seededRng(mixSeed(vars.seed, 0x7e3a));
}

function resolver(expr: string): Resolver {
  const [head, ...args] = expr.split(/\s+/);
  switch (head) {
    case 'index':
      return (v) => v.index;
    case 'seed':
      return (v) => v.seed;
    case 'uuid':
      return (_v, rng) => uuidFrom(rng);
    case 'random.uniform':
    case 'random.int': {
      const [a, b] = args.map(Number);
      if (args.length !== 2 || !Number.isFinite(a) || !Number.isFinite(b)) {
        throw new TemplateError(`{{${expr}}}: expected two numbers, e.g. {{${head} 1 10}}`);
      }
      return head === 'random.int'
        ? (_v, rng) => Math.floor(a! + rng() * (b! - a! + 1))
        : (_v, rng) => a! + rng() * (b! - a!);
    }
    default: {
      const path = (head!.startsWith('row.') ? head!.slice(4) : head!).split('.');
      return (v) => {
        if (!v.row) throw new TemplateError(`{{${expr}}} needs a dataset (scenario "dataset:") with that field`);
        let cur: unknown = v.row;
        for (const key of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
        if (cur === undefined) throw new TemplateError(`{{${expr}}}: the dataset row has no field "${path.join('.')}"`);
        return cur;
      };
    }
  }
}

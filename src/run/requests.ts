/**
 * Builds each call's request before its timed section: the template vars (index, seed, dataset
 * row, run id), the call's named values, earlier steps' values for this call, what the target's
 * request-builder module returns, and finally the protocol's own rendering (`client.prepare`).
 * The stress notebook pre-generates its payloads so the timing reflects the API, not the client;
 * so does a count-bounded phase here (up to PREBUILD_LIMIT calls; beyond, and for phases bounded
 * by time, each call is built just before it is sent).
 */
import type { Timeline } from '../model/timeline.js';
import type { BuildModuleResult, ProtocolClient, TemplateVars } from '../protocols/types.js';
import { compilePath, getPath } from '../protocols/wire/extraction.js';
import type { Dataset } from '../scenario/dataset.js';
import type { CallSpec } from '../scenario/load-points.js';
import { compileTemplate, type CompiledTemplate } from '../scenario/template.js';
import { importUserModule } from '../scenario/user-module.js';
import { mixSeed, seededRng, type Rng } from '../random.js';

/** Calls built ahead of a count-bounded phase at most; memory stays bounded for very long phases. */
export const PREBUILD_LIMIT = 10_000;

/** The values each earlier step's successful calls named, in call order: call i of a later step takes row i. */
export type StepValues = Record<string, Record<string, unknown>[]>;

/** What a request-builder module gets for one call. */
export interface BuildContext {
  index: number;
  seed: number;
  /** Seeded for this call: random() in [0, 1), random.uniform(a, b), random.int(a, b). */
  random: Rng & { uniform(a: number, b: number): number; int(a: number, b: number): number };
  row?: Record<string, unknown>;
  /** This call's values (the step's `values`, rendered). */
  values: Record<string, unknown>;
  /** Earlier steps' values for this call. */
  steps: Record<string, Record<string, unknown>>;
  runId?: string;
  phase: string;
}

export type BuildFunction = (ctx: BuildContext) => BuildModuleResult | Promise<BuildModuleResult>;

/** One call, ready to send; `error` when it could not be built (it is then recorded as a failed call, not sent). */
export interface PreparedCall {
  vars: TemplateVars;
  prepared?: unknown;
  error?: string;
}

export interface RequestBuilderOptions {
  phase: string;
  phaseSeed: number;
  runId?: string;
  dataset?: Dataset;
  calls?: CallSpec;
  /** Earlier steps' values, keyed by step name. */
  stepValues?: StepValues;
  /** The target's `build` module (a path), when it has one. */
  build?: string;
  client: ProtocolClient;
}

const buildModules = new Map<string, Promise<BuildFunction>>();

/** Imports a request-builder module once per thread; its default export (or `build`) is the function. */
export function loadBuildFunction(path: string): Promise<BuildFunction> {
  let loading = buildModules.get(path);
  if (!loading) {
    loading = importUserModule(path, 'build: ./payload.mjs').then((mod) => {
      const fn = (typeof mod.default === 'function' ? mod.default : mod.build) as BuildFunction | undefined;
      if (typeof fn !== 'function') throw new Error(`${path} exports no function: export default function build({ index, random, row, values, steps }) { return { body } }`);
      return fn;
    });
    buildModules.set(path, loading);
  }
  return loading;
}

export class RequestBuilder {
  private readonly values: [string, CompiledTemplate][];
  private readonly ahead = new Map<number, PreparedCall>();
  private build?: BuildFunction;

  private constructor(private readonly opts: RequestBuilderOptions) {
    this.values = Object.entries(opts.calls?.values ?? {}).map(([name, t]) => [name, compileTemplate(t, `values.${name}`)]);
  }

  static async create(opts: RequestBuilderOptions): Promise<RequestBuilder> {
    const b = new RequestBuilder(opts);
    if (opts.build) b.build = await loadBuildFunction(opts.build);
    return b;
  }

  /** Builds these calls now (before the phase's clock starts); `take` then hands them out. */
  async prebuild(indices: Iterable<number>): Promise<void> {
    let n = 0;
    for (const index of indices) {
      if (n++ >= PREBUILD_LIMIT) break;
      this.ahead.set(index, await this.buildCall(index));
    }
  }

  /** The call built ahead, or one built now. */
  async take(index: number): Promise<PreparedCall> {
    const ready = this.ahead.get(index);
    if (ready) {
      this.ahead.delete(index);
      return ready;
    }
    return this.buildCall(index);
  }

  /** Builds one call; a template or module that fails becomes an error the caller records as the call's failure. */
  async buildCall(index: number): Promise<PreparedCall> {
    const vars: TemplateVars = { index, seed: mixSeed(this.opts.phaseSeed, index), runId: this.opts.runId, phase: this.opts.phase };
    try {
      return await this.fill(vars);
    } catch (err) {
      return { vars, error: `cannot build the request: ${(err as Error).message}` };
    }
  }

  private async fill(vars: TemplateVars): Promise<PreparedCall> {
    const { opts } = this;
    const { index } = vars;
    const row = opts.dataset?.rowFor(index);
    if (row) vars.row = row;
    if (opts.stepValues) {
      const steps: Record<string, Record<string, unknown>> = {};
      for (const [name, rows] of Object.entries(opts.stepValues)) if (rows.length) steps[name] = rows[index % rows.length]!;
      vars.steps = steps;
    }
    if (this.values.length) {
      // Each value may use the ones declared before it.
      vars.values = {};
      for (const [name, render] of this.values) vars.values[name] = render(vars);
    }
    if (this.build) {
      const built = await this.build({
        index,
        seed: vars.seed,
        random: seededHelpers(seededRng(mixSeed(vars.seed, 0xb111d))),
        row: vars.row,
        values: { ...vars.values },
        steps: vars.steps ?? {},
        runId: opts.runId,
        phase: opts.phase,
      });
      if (built && typeof built === 'object') {
        vars.built = built;
        if (built.values) vars.values = { ...vars.values, ...built.values };
      }
    }
    return { vars, prepared: opts.client.prepare?.(vars) };
  }
}

function seededHelpers(rng: Rng): BuildContext['random'] {
  const r = (() => rng()) as BuildContext['random'];
  r.uniform = (a, b) => a + rng() * (b - a);
  r.int = (a, b) => Math.floor(a + rng() * (b - a + 1));
  return r;
}

/**
 * Reads a step's captures from a finished call: each path into the response JSON of an ok call
 * (a failed call captures nothing). Returns the call's values: what it named before sending plus
 * what it captured.
 */
export class Captures {
  private readonly paths: [string, (string | number)[]][];

  constructor(capture: Record<string, string> | undefined) {
    this.paths = Object.entries(capture ?? {}).map(([name, path]) => [name, compilePath(path)]);
  }

  get wanted(): boolean {
    return this.paths.length > 0;
  }

  valuesOf(t: Timeline, sent: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!this.paths.length) return sent;
    const out: Record<string, unknown> = { ...sent };
    if (t.outcome === 'ok' && t.responseText !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(t.responseText);
      } catch {
        json = undefined;
      }
      for (const [name, keys] of this.paths) {
        const v = getPath(json, keys);
        if (v !== undefined) out[name] = v;
      }
    }
    return out;
  }
}

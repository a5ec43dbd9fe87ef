import { importUserModule } from '../../scenario/user-module.js';

/** The four ways a library may produce an answer; a module exports any of them. */
export const LOCAL_MODES = ['generate', 'stream', 'streamAsync', 'predict'] as const;
export type LocalMode = (typeof LOCAL_MODES)[number];

/** What a user's module may export (ESM). */
export interface LocalModelModule {
  /** Whole answer: a string, an array of tokens, or `{ text?, tokens? }`. */
  generate?(input: unknown): unknown;
  /** Calls `onToken` once per token; resolves (or returns) when done. */
  stream?(input: unknown, onToken: (token: unknown) => void): unknown;
  /** An async iterable of tokens. */
  streamAsync?(input: unknown): AsyncIterable<unknown>;
  /** Frame models: a batch of images (Buffers) in, one result per image out. */
  predict?(batch: Buffer[]): unknown;
  /** The user's own per-token work, run inside the harness's token callback (its time is `callback_time`). */
  consume?(token: unknown): void;
  /** Called once before the first request (load the model here); awaited. */
  setup?(): unknown;
  /** Called once when the run ends. */
  teardown?(): unknown;
}

/**
 * Imports a user's module: `.ts`/`.mts`/`.cts` through tsx's loader (so no build step), anything
 * else with a plain dynamic import. Paths are relative to the current directory.
 */
export async function importLocalModule(path: string): Promise<LocalModelModule> {
  const mod = await importUserModule(path, '--module ./my-model.ts');
  // A CommonJS or default-exporting module keeps its functions on `default`.
  const fns = (typeof mod.generate === 'function' || typeof mod.stream === 'function' || typeof mod.streamAsync === 'function' || typeof mod.predict === 'function'
    ? mod
    : ((mod.default as Record<string, unknown>) ?? mod)) as LocalModelModule;
  if (!LOCAL_MODES.some((m) => typeof fns[m] === 'function')) {
    throw new Error(`${path} exports none of ${LOCAL_MODES.join(', ')}; export at least one (see README "In-process targets")`);
  }
  return fns;
}

export function availableModes(mod: LocalModelModule): LocalMode[] {
  return LOCAL_MODES.filter((m) => typeof mod[m] === 'function');
}

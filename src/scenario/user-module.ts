import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports a user's ES module (a local model, a request builder): `.ts`/`.mts`/`.cts` through
 * tsx's loader (so no build step), anything else with a plain dynamic import. `path` is absolute
 * or relative to the current directory (scenario files resolve theirs against the file first).
 */
export async function importUserModule(path: string, example: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new Error(`cannot find ${file}; give the path to your module, e.g. ${example}`);
  const url = pathToFileURL(file).href;
  if (['.ts', '.mts', '.cts', '.tsx'].includes(extname(file))) {
    let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
    try {
      // tsx is an optional peer dependency: only TypeScript modules need it, and it brings esbuild (10 MB).
      ({ tsImport } = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      throw new Error(
        `${path} is TypeScript, and loading it needs tsx, which is not installed. Install it beside inferbench (npm install --save-dev tsx; with npx: npx -p inferbench -p tsx inferbench ...), or compile ${path} to JavaScript and pass the .js file`,
      );
    }
    return tsImport(url, import.meta.url);
  }
  return (await import(url)) as Record<string, unknown>;
}

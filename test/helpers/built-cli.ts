import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type CliRun } from './cli.js';

/**
 * The built CLI (`dist/cli/main.js`), as `npm ci` / `npm run build` leave it: spawning it costs a
 * plain node start, not a TypeScript loader. Rebuilt first when a source file is newer than the
 * build (a working tree with edits), so a test never runs yesterday's code.
 */
export const BUILT_CLI = join(REPO_ROOT, 'dist/cli/main.js');

let checked = false;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  if (checked) return;
  let builtMs = 0;
  try {
    builtMs = statSync(BUILT_CLI).mtimeMs;
  } catch {
    // not built yet
  }
  if (newestMtimeMs(join(REPO_ROOT, 'src')) > builtMs) {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  checked = true;
}

/** Spawns the built CLI, optionally under a wrapper such as `taskset -c 0`, and collects its output. */
export function startBuiltCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; wrapper?: string[] } = {}): { child: ChildProcess; done: Promise<CliRun> } {
  ensureBuilt();
  const command = [...(opts.wrapper ?? []), process.execPath, BUILT_CLI, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runBuiltCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; wrapper?: string[] } = {}): Promise<CliRun> {
  return startBuiltCli(args, opts).done;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Absolute paths, so the CLI can run from any working directory (as a user's would).
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI_MAIN = join(REPO_ROOT, 'src/cli/main.ts');
export const BUILT_CLI = join(REPO_ROOT, 'dist/cli/main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from source (tsx), as a user would, and collects its output. */
export function startCli(args: string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun> } {
  return spawnCli(['--import', TSX_LOADER, CLI_MAIN, ...args], opts);
}

/** The built CLI (`npm run build`'s dist/, as `npm ci` leaves it): no TypeScript compile per spawn. */
export function startBuiltCli(args: string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun> } {
  return spawnCli([BUILT_CLI, ...args], opts);
}

function spawnCli(argv: string[], opts: CliOptions): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, argv, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env, FORCE_COLOR: '0' },
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Piped to the CLI's standard input (as in `... | inferbench report -`). */
  stdin?: string;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return startCli(args, opts).done;
}

/** Resolves when the child's stderr or stdout first contains `text` (no fixed sleeps). */
export function waitForOutput(child: ChildProcess, text: string | RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const check = (d: Buffer) => {
      seen += d.toString();
      if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('close', () => reject(new Error(`process ended before printing ${String(text)}; output:\n${seen}`)));
  });
}

/** Runs the built CLI (`npm run build`'s dist/), as an installed inferbench runs: no TypeScript compile per spawn. */
export function runBuiltCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return startBuiltCli(args, opts).done;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The built CLI (test/global-setup.ts builds dist/ when the sources changed), by absolute path so it
// can run from any working directory, as a user's would. Spawning the sources through tsx cost
// about a second of compiling per child, half the suite's time.
export const CLI_MAIN = join(REPO_ROOT, 'dist/cli/main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Piped to the CLI's standard input (as in `... | inferbench report -`). */
  stdin?: string;
  /** A command the CLI runs under, such as `taskset -c 0`. */
  wrapper?: string[];
}

/** Runs the real, built CLI as a user would (the one way tests spawn it), and collects its output. */
export function startCli(args: string[], opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const command = [...(opts.wrapper ?? []), process.execPath, CLI_MAIN, ...args];
  const child = spawn(command[0]!, command.slice(1), {
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

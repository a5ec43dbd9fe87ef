/**
 * Ctrl+C for every long command: the first stops the work and lets the command print and write
 * what it measured (then exit 130); a second quits at once.
 */
import { ExitCode } from './exit-codes.js';

export interface Interrupt {
  signal: AbortSignal;
  readonly interrupted: boolean;
  /** Stops listening (the command has finished). */
  dispose(): void;
}

export interface CtrlCOptions {
  /** Shows the notice (a live display draws it in its own area); default: a line on stderr. */
  show?: (notice: string) => void;
  /** Runs before a second Ctrl+C quits (restoring the terminal). */
  beforeQuit?: () => void;
}

export function onCtrlC(message: string, opts: CtrlCOptions = {}): Interrupt {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count > 1) {
      opts.beforeQuit?.();
      process.exit(ExitCode.interrupted);
    }
    const notice = `${message} (Ctrl+C again to quit now)...`;
    if (opts.show) opts.show(notice);
    else process.stderr.write(`\n${notice}\n`);
    controller.abort('interrupted by Ctrl+C');
  };
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    get interrupted() {
      return controller.signal.aborted;
    },
    dispose: () => process.off('SIGINT', handler),
  };
}

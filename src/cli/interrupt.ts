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

export function onCtrlC(message: string, before?: () => void): Interrupt {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count > 1) process.exit(ExitCode.interrupted);
    before?.();
    process.stderr.write(`\n${message} (Ctrl+C again to quit now)...\n`);
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

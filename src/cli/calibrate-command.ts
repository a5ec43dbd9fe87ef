import type { Command } from 'commander';
import { calibrate, CalibrationInterruptedError, formatCalibration, saveCalibration } from '../run/calibrate.js';
import { onCtrlC } from './interrupt.js';
import { parseDurationFlag } from '../server/index.js';
import { ExitCode } from './exit-codes.js';

export function registerCalibrateCommand(program: Command): Command {
  return program
    .command('calibrate')
    .description("measure this machine's own client capacity against the reference server on another thread; `run` warns when a scenario asks for more")
    .option('--duration <duration>', 'length of each measurement', '5s')
    .option('--no-save', 'print only; do not save the calibration for `run`')
    .action(async (flags: { duration: string; save: boolean }) => {
      let durationMs: number;
      try {
        durationMs = parseDurationFlag(flags.duration, '--duration');
      } catch (err) {
        process.stderr.write(`inferbench calibrate: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.badConfig;
        return;
      }
      const interrupt = onCtrlC('Stopping the measurement in progress');
      let c;
      try {
        c = await calibrate({ durationMs, onStep: (s) => process.stderr.write(`measuring ${s}...\n`), signal: interrupt.signal });
      } catch (err) {
        if (!(err instanceof CalibrationInterruptedError)) throw err;
        process.stdout.write(`${err.message}\nnot saved: a partial calibration would mislead \`run\`'s warnings\n`);
        process.exitCode = ExitCode.interrupted;
        return;
      } finally {
        interrupt.dispose();
      }
      process.stdout.write(`${formatCalibration(c)}\n`);
      if (flags.save) process.stdout.write(`saved: ${await saveCalibration(c)}\n`);
      process.exitCode = ExitCode.ok;
    });
}

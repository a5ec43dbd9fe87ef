import type { Command } from 'commander';
import { calibrate, formatCalibration, saveCalibration } from '../run/calibrate.js';
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
      const c = await calibrate({ durationMs, onStep: (s) => process.stderr.write(`measuring ${s}...\n`) });
      process.stdout.write(`${formatCalibration(c)}\n`);
      if (flags.save) process.stdout.write(`saved: ${await saveCalibration(c)}\n`);
      process.exitCode = ExitCode.ok;
    });
}

#!/usr/bin/env node
import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { registerCompareCommand } from './compare-command.js';
import { registerOverheadCommand } from './overhead.js';
import { registerQuickstart } from './quickstart.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerServeCommand } from './serve.js';
import { registerGradioInfoCommand } from './gradio-info.js';
import { registerCapacityCommand } from './capacity-command.js';
import { registerMergeCommand } from './merge-command.js';
import { registerK8sCommand } from './k8s-command.js';
import { registerCalibrateCommand } from './calibrate-command.js';
import { registerProtocolsCommand } from './protocols-command.js';
import { redactProcessOutput } from '../results/redacting-sinks.js';
import { cliRedactor } from './output.js';
import { ExitCode } from './exit-codes.js';

// Every byte this process prints passes the redactor, whoever writes it (commander, a library, a crash).
redactProcessOutput(cliRedactor);
const crash = (err: unknown) => {
  process.stderr.write(`inferbench failed (a bug; please report it): ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const program = new Command('inferbench')
  .description('Benchmark ML inference endpoints: TTFT, inter-token latency, throughput, errors — measured correctly.\nWith no command, benchmarks the built-in reference server.')
  .version(TOOL_VERSION)
  .enablePositionalOptions()
  .showHelpAfterError();

registerQuickstart(program);
registerRunCommand(program);
registerServeCommand(program);
registerGradioInfoCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerOverheadCommand(program);
registerCapacityCommand(program);
registerMergeCommand(program);
registerK8sCommand(program);
registerCalibrateCommand(program);
registerProtocolsCommand(program);

await program.parseAsync(process.argv);
// Stopped by Ctrl+C, with what was measured printed and written: exit now rather than wait for
// connections and threads to wind down.
if (process.exitCode === ExitCode.interrupted) process.exit(ExitCode.interrupted);

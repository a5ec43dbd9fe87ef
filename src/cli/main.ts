#!/usr/bin/env node
import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { registerCompareCommand } from './compare-command.js';
import { registerOverheadCommand } from './overhead.js';
import { registerQuickstart } from './quickstart.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerServeCommand } from './serve.js';

const program = new Command('inferbench')
  .description('Benchmark ML inference endpoints: TTFT, inter-token latency, throughput, errors — measured correctly.\nWith no command, benchmarks the built-in reference server.')
  .version(TOOL_VERSION)
  .enablePositionalOptions()
  .showHelpAfterError();

registerQuickstart(program);
registerRunCommand(program);
registerServeCommand(program);
registerReportCommand(program);
registerCompareCommand(program);
registerOverheadCommand(program);

await program.parseAsync(process.argv);

/** The CLI's commands (src/cli/main.ts loads this unless it can answer alone). */
import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { redactProcessOutput } from '../results/redacting-sinks.js';
import { cliRedactor } from './output.js';
import { ExitCode } from './exit-codes.js';

type Register = (program: Command) => unknown;

/** Each command's module, loaded when the command line names it. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  '': async () => (await import('./quickstart.js')).registerQuickstart,
  run: async () => (await import('./run-command.js')).registerRunCommand,
  serve: async () => (await import('./serve.js')).registerServeCommand,
  'gradio-info': async () => (await import('./gradio-info.js')).registerGradioInfoCommand,
  report: async () => (await import('./report-command.js')).registerReportCommand,
  compare: async () => (await import('./compare-command.js')).registerCompareCommand,
  overhead: async () => (await import('./overhead.js')).registerOverheadCommand,
  capacity: async () => (await import('./capacity-command.js')).registerCapacityCommand,
  merge: async () => (await import('./merge-command.js')).registerMergeCommand,
  k8s: async () => (await import('./k8s-command.js')).registerK8sCommand,
  calibrate: async () => (await import('./calibrate-command.js')).registerCalibrateCommand,
  protocols: async () => (await import('./protocols-command.js')).registerProtocolsCommand,
};

export async function runCli(argv: string[]): Promise<void> {
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

  // A named command loads only its own modules (`run --help` took 0.71 s with every command's
  // loaded, the reference server and the HTML report among them); help, a typo and the quick
  // start (no command) register them all.
  const named = COMMANDS[argv[2] ?? ''];
  for (const register of named ? [named] : Object.values(COMMANDS)) (await register())(program);

  await program.parseAsync(argv);
  // Stopped by Ctrl+C, with what was measured printed and written: exit now rather than wait for
  // connections and threads to wind down.
  if (process.exitCode === ExitCode.interrupted) process.exit(ExitCode.interrupted);
}

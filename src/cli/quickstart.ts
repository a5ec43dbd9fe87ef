import type { Command } from 'commander';
import { serve } from '../server/index.js';
import { parseServeOptions } from './serve.js';
import { resolveScenario } from '../scenario/load-scenario.js';
import { runAndReport, reportFailure, type OutputFlags } from './run-command.js';
import { ExitCode } from './exit-codes.js';

/** The reference server's timing in the quick start: a small, fast LLM. */
export const QUICKSTART_SERVER = { ttft: 'lognormal:80ms:0.3', itl: 'lognormal:12ms:0.2', tokens: 'uniform:32:96', seed: '7' };

/**
 * `inferbench` with no arguments (and `npm start`): benchmark the built-in reference server,
 * an OpenAI-compatible streaming chat endpoint started in this process, and write the results.
 */
export async function runQuickstart(flags: OutputFlags & { requests?: number; concurrency?: number }): Promise<ExitCode> {
  const server = await serve(parseServeOptions({ port: '0', ...QUICKSTART_SERVER }));
  const human = flags.json ? process.stderr : process.stdout;
  try {
    human.write(
      `No target given: benchmarking the built-in reference server at ${server.url} (OpenAI-compatible streaming chat).\n` +
        `Point inferbench at your own endpoint with:\n` +
        `  inferbench run --url http://HOST:PORT/v1/chat/completions --model MODEL --concurrency 8 --requests 200\n` +
        `  inferbench run scenario.yaml          (see examples/)\n\n`,
    );
    return await runAndReport(
      () =>
        resolveScenario({
          name: 'quickstart',
          target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, model: 'inferbench-reference', max_tokens: 128 },
          load: { mode: 'concurrency', concurrency: flags.concurrency ?? 8, requests: flags.requests ?? 120 },
          phases: { warmup: { requests: 8 } },
        }),
      // The quick start shows everything inferbench makes: results JSON and the HTML report beside it.
      { ...flags, report: 'html' },
      human,
    );
  } catch (err) {
    return reportFailure(err);
  } finally {
    await server.close();
  }
}

export function registerQuickstart(program: Command): void {
  program
    .option('--json', 'print the results JSON to stdout (human output goes to stderr)')
    .option('-q, --quiet', 'no progress line and no summary')
    .option('-n, --requests <n>', 'requests to measure (default 120)', (v) => Number.parseInt(v, 10))
    .option('-c, --concurrency <n>', 'requests in flight (default 8)', (v) => Number.parseInt(v, 10))
    .action(async (flags: OutputFlags & { requests?: number; concurrency?: number }) => {
      process.exitCode = await runQuickstart(flags);
    });
}

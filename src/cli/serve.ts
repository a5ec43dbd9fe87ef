/** `inferbench serve`: runs the reference server in the foreground until Ctrl+C. */
import type { Command } from 'commander';
import {
  COUNT_FORMAT_HELP,
  DURATION_FORMAT_HELP,
  InvalidServerOptionsError,
  formatDistribution,
  parseDurationFlag,
  serve,
  type ReferenceServer,
  type ServerSettings,
} from '../server/index.js';
import { parseServeOptions as parseOptions, type ServeOptions } from '../server/serve-options.js';
/** The flags as commander hands them over (strings); `serve()` takes the same names. */
export type ServeFlags = Omit<ServeOptions, 'roleChunk' | 'gradioVersion'> & { roleChunk?: string; gradioVersion?: string | number };

/** Flags (as typed, unchecked) → validated settings; every bad flag is named at once. */
export function parseServeOptions(flags: ServeFlags): ServerSettings {
  return parseOptions(flags as ServeOptions);
}
import type { ReferenceGrpcServer } from '../server/grpc/index.js';

interface GrpcServeFlags {
  grpcPort?: string;
  detectDelay: string;
  perFrame: string;
  batchSize: string;
}

/** `--grpc-port`: the reference gRPC server beside the HTTP one (same host and seed). */
async function startGrpcFromFlags(flags: GrpcServeFlags, settings: ServerSettings, command: Command): Promise<ReferenceGrpcServer | undefined> {
  if (flags.grpcPort === undefined) return undefined;
  const problems: string[] = [];
  const port = Number(flags.grpcPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`--grpc-port: expected a port number 0-65535, got ${JSON.stringify(flags.grpcPort)}`);
  let perFrameMs = 0;
  try {
    perFrameMs = parseDurationFlag(flags.perFrame, '--per-frame');
  } catch (error) {
    problems.push((error as Error).message);
  }
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) problems.push(`--batch-size: use a whole number ≥ 1, got ${JSON.stringify(flags.batchSize)}`);
  if (problems.length) command.error(`inferbench serve: invalid options\n  ${problems.join('\n  ')}`, { exitCode: 2, code: 'inferbench.invalidOptions' });
  try {
    // grpc-js loads only when asked for: it is the heaviest module and most `serve` runs are HTTP only.
    const { serveGrpc } = await import('../server/grpc/index.js');
    const grpcServer = await serveGrpc({ host: settings.host, port, seed: settings.seed, detectMs: flags.detectDelay, perFrameMs, batchSize });
    process.stdout.write(`gRPC: ${grpcServer.url}  (inferbench.detector.Detector: Detect, DetectBoxes, Upload, DetectStream; inference.GRPCInferenceService: ModelInfer, ModelStreamInfer)\n`);
    return grpcServer;
  } catch (error) {
    command.error(`inferbench serve: cannot serve gRPC on ${settings.host}:${port}: ${(error as Error).message}`, { exitCode: 1, code: 'inferbench.listenFailed' });
  }
}

const percent = (rate: number) => `${+(rate * 100).toFixed(4)}%`;

/** What `inferbench serve` prints once listening: where, how it behaves, and commands to try. */
export function serveBanner(server: ReferenceServer): string {
  const { settings, url } = server;
  const faults = [
    settings.errorRate > 0 && `error ${percent(settings.errorRate)} (status ${settings.errorStatus})`,
    settings.midStreamCloseRate > 0 && `mid-stream close ${percent(settings.midStreamCloseRate)}`,
    settings.midStreamErrorRate > 0 && `mid-stream error ${percent(settings.midStreamErrorRate)}`,
    settings.stallRate > 0 && `stall ${percent(settings.stallRate)}`,
  ].filter(Boolean);
  const timing = [
    `ttft ${formatDistribution(settings.ttftMs, 'ms')}`,
    settings.ttftPerInFlightMs > 0 && `+${settings.ttftPerInFlightMs}ms per request in flight`,
    `itl ${formatDistribution(settings.itlMs, 'ms')}`,
    `tokens ${formatDistribution(settings.outputTokens, 'tokens')}`,
    settings.tokensPerChunk > 1 && `${settings.tokensPerChunk} tokens per event`,
    settings.roleChunkAt === 'headers' && 'role chunk with headers',
    `seed ${settings.seed}`,
  ].filter(Boolean);
  const chat = JSON.stringify({
    model: settings.model,
    messages: [{ role: 'user', content: 'Hello' }],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 16,
  });
  return [
    `inferbench reference server listening on ${url}`,
    `  model   ${settings.model}`,
    `  timing  ${timing.join(' · ')}`,
    `  faults  ${faults.length ? faults.join(' · ') : 'none'}`,
    `  routes  POST /v1/chat/completions, POST /v1/completions, GET /v1/models, POST|GET /echo, GET /health,`,
    `          GET /ground-truth, GET /ground-truth/:id, DELETE /ground-truth`,
    `          Gradio ${settings.gradioVersion}.x (${settings.gradioVersion === 5 ? '/gradio_api' : 'root'}: /call/predict, /call/chat, /queue/join, /queue/data, /info; GET /config),`,
    `          TGI POST /generate, /generate_stream; Ollama POST /api/generate, /api/chat; KServe POST /v2/models/:m/infer,`,
    `          Triton POST /v2/models/:m/generate_stream; Responses POST /v1/responses,`,
    `          POST /v1/audio/speech, POST /tts/stream (speech), GET /metrics (Prometheus)`,
    '',
    'Try:',
    `  curl -N ${url}/v1/chat/completions -H 'content-type: application/json' -d '${chat}'`,
    `  curl -si ${url}/echo -d '{"hello":"world"}'`,
    `  curl -s ${url}/ground-truth/1    # the server's own send times for request 1 (see x-inferbench-request-id)`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM, leaving no listener behind. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description('run the reference inference server: vLLM-compatible streaming with controlled timing, faults and ground-truth send times')
    .option('--port <number>', 'port to listen on (0 picks a free one)', '8000')
    .option('--host <address>', 'interface to bind', '127.0.0.1')
    .option('--model <name>', 'model name reported by /v1/models', 'inferbench/reference')
    .option('--ttft <distribution>', `time to first token; ${DURATION_FORMAT_HELP}`, '200ms')
    .option('--itl <distribution>', `gap between tokens, drawn per token; ${DURATION_FORMAT_HELP}`, '20ms')
    .option('--tokens <distribution>', `output tokens per answer (max_tokens caps it); ${COUNT_FORMAT_HELP}`, '64')
    .option('--tokens-per-chunk <number>', 'tokens packed into each stream event', '1')
    .option('--role-chunk <when>', 'when the role chunk leaves: first-token (as vLLM) or headers (first_event before ttft)', 'first-token')
    .option('--ttft-per-in-flight <duration>', 'extra TTFT per other request in flight, e.g. 5ms', '0ms')
    .option('--seed <number>', 'seed for every random choice (timings, faults, text)', '1')
    .option('--echo-delay <distribution>', `delay before /echo answers; ${DURATION_FORMAT_HELP}`, '0ms')
    .option('--error-rate <rate>', 'share of requests answered with --error-status before streaming (0.05 or 5%)', '0')
    .option('--error-status <status>', 'HTTP status of injected errors', '500')
    .option('--mid-stream-close-rate <rate>', 'share of streams whose connection drops after some tokens', '0')
    .option('--mid-stream-error-rate <rate>', "share of streams that end with vLLM's mid-stream error event and [DONE]", '0')
    .option('--stall-rate <rate>', 'share of streams that stop after some tokens and stay open', '0')
    .option('--max-records <number>', 'ground-truth records kept (oldest dropped first)', '100000')
    .option('--gradio-version <major>', 'Gradio routes emulated: 4 (at the root) or 5 (under /gradio_api)', '5')
    .option('--heartbeat <duration>', "idle time before Gradio's heartbeat and TGI's keep-alive comment", '15s')
    .option('--tgi-legacy-framing', 'TGI before 2.1: write "data:" with no space')
    .option('--grpc-port <number>', 'also serve the gRPC detector and KServe v2 services on this port (0 picks a free one)')
    .option('--detect-delay <distribution>', `gRPC detector: time per batch; ${DURATION_FORMAT_HELP}`, '20ms')
    .option('--per-frame <duration>', 'gRPC detector: extra time per frame in a batch', '2ms')
    .option('--batch-size <number>', 'gRPC DetectStream: frames the server gathers into one batch', '1')
    .option('--tts-rtf <factor>', 'speech: generation time / audio time per chunk (above 1 stalls playback)', '0.25')
    .option('--tts-chunk <duration>', 'speech: audio per chunk', '40ms')
    .option('--tts-split-samples', 'speech: chunk boundaries fall mid-sample')
    .option('--tts-ms-per-word <duration>', 'speech: audio per input word', '350ms')
    .option('--tts-sample-rate <hz>', 'speech: sample rate of the 16-bit mono audio', '24000')
    .option('--prompt-tokenizer <kind>', 'how usage.prompt_tokens counts a prompt: o200k_base (as a client counts by default) or words', 'o200k_base')
    .action(async (flags: ServeFlags & GrpcServeFlags, command: Command) => {
      let settings: ServerSettings;
      try {
        settings = parseServeOptions(flags);
      } catch (error) {
        if (!(error instanceof InvalidServerOptionsError)) throw error;
        command.error(`inferbench serve: invalid options\n  ${error.problems.join('\n  ')}`, { exitCode: 2, code: 'inferbench.invalidOptions' });
      }
      let server: ReferenceServer;
      try {
        server = await serve(settings);
      } catch (error) {
        command.error(`inferbench serve: cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}`, {
          exitCode: 1,
          code: 'inferbench.listenFailed',
        });
      }
      process.stdout.write(serveBanner(server));
      const grpcServer = await startGrpcFromFlags(flags, settings, command);
      const signal = await untilStopSignal();
      await Promise.all([server.close(), grpcServer?.close()]);
      process.stdout.write(`\nstopped (${signal})\n`);
    });
}

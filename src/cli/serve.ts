/** `inferbench serve`: runs the reference server in the foreground until Ctrl+C. */
import type { Command } from 'commander';
import {
  COUNT_FORMAT_HELP,
  DURATION_FORMAT_HELP,
  InvalidServerOptionsError,
  OptionFormatError,
  formatDistribution,
  parseDistribution,
  parseDurationFlag,
  resolveServerOptions,
  serve,
  type ReferenceServer,
  type ReferenceServerOptions,
  type ServerSettings,
} from '../server/index.js';
import { serveGrpc, type ReferenceGrpcServer } from '../server/grpc/index.js';

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
  if (!Number.isInteger(batchSize) || batchSize < 1) problems.push(`--batch-size: ${WHOLE_NUMBER_HELP} ≥ 1, got ${JSON.stringify(flags.batchSize)}`);
  if (problems.length) command.error(`inferbench serve: invalid options\n  ${problems.join('\n  ')}`, { exitCode: 2, code: 'inferbench.invalidOptions' });
  try {
    const grpcServer = await serveGrpc({ host: settings.host, port, seed: settings.seed, detectMs: flags.detectDelay, perFrameMs, batchSize });
    process.stdout.write(`gRPC: ${grpcServer.url}  (inferbench.detector.Detector: Detect, DetectBoxes, Upload, DetectStream; inference.GRPCInferenceService: ModelInfer, ModelStreamInfer)\n`);
    return grpcServer;
  } catch (error) {
    command.error(`inferbench serve: cannot serve gRPC on ${settings.host}:${port}: ${(error as Error).message}`, { exitCode: 1, code: 'inferbench.listenFailed' });
  }
}

/** The flags as commander hands them over (strings; numbers are accepted from code). */
export interface ServeFlags {
  port?: string | number;
  host?: string;
  model?: string;
  seed?: string | number;
  ttft?: string;
  itl?: string;
  tokens?: string | number;
  tokensPerChunk?: string | number;
  roleChunk?: string;
  ttftPerInFlight?: string;
  echoDelay?: string;
  errorRate?: string | number;
  errorStatus?: string | number;
  midStreamCloseRate?: string | number;
  midStreamErrorRate?: string | number;
  stallRate?: string | number;
  maxRecords?: string | number;
  gradioVersion?: string | number;
  heartbeat?: string;
  tgiLegacyFraming?: boolean;
  ttsRtf?: string | number;
  ttsChunk?: string;
  ttsSplitSamples?: boolean;
  ttsMsPerWord?: string;
  ttsSampleRate?: string | number;
  promptTokenizer?: string;
}

const RATE_HELP = 'use a fraction such as 0.05 or a percentage such as 5%';
const WHOLE_NUMBER_HELP = 'use a whole number';

/** Each option's flag, so every message names what the user typed. */
const FLAG_OF: Record<keyof ReferenceServerOptions, string> = {
  host: '--host',
  port: '--port',
  seed: '--seed',
  model: '--model',
  ttftMs: '--ttft',
  itlMs: '--itl',
  outputTokens: '--tokens',
  tokensPerChunk: '--tokens-per-chunk',
  roleChunkAt: '--role-chunk',
  ttftPerInFlightMs: '--ttft-per-in-flight',
  echoDelayMs: '--echo-delay',
  errorRate: '--error-rate',
  errorStatus: '--error-status',
  midStreamCloseRate: '--mid-stream-close-rate',
  midStreamErrorRate: '--mid-stream-error-rate',
  stallRate: '--stall-rate',
  maxGroundTruthRecords: '--max-records',
  gradioVersion: '--gradio-version',
  heartbeatMs: '--heartbeat',
  tgiLegacyFraming: '--tgi-legacy-framing',
  ttsRealTimeFactor: '--tts-rtf',
  ttsChunkMs: '--tts-chunk',
  ttsSplitSamples: '--tts-split-samples',
  ttsMsPerWord: '--tts-ms-per-word',
  ttsSampleRate: '--tts-sample-rate',
  promptTokenizer: '--prompt-tokenizer',
};

function parseNumber(value: string | number, flag: string, help: string): number {
  if (typeof value === 'number') return value;
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number)) throw new OptionFormatError(`${flag}: "${value}" is not a number; ${help}`);
  return number;
}

function parseRate(value: string | number, flag: string): number {
  if (typeof value === 'string' && value.trim().endsWith('%')) return parseNumber(value.trim().slice(0, -1), flag, RATE_HELP) / 100;
  return parseNumber(value, flag, RATE_HELP);
}

/**
 * Turns `inferbench serve` flags into validated server settings. Throws
 * {@link InvalidServerOptionsError} listing every bad flag with its accepted format.
 */
export function parseServeOptions(flags: ServeFlags): ServerSettings {
  const options: Partial<ReferenceServerOptions> = {};
  const problems: string[] = [];
  const take = <K extends keyof ReferenceServerOptions>(key: K, raw: string | number | undefined, parse: (raw: string | number, flag: string) => ReferenceServerOptions[K]) => {
    if (raw === undefined) return;
    try {
      options[key] = parse(raw, FLAG_OF[key]);
    } catch (error) {
      if (!(error instanceof OptionFormatError)) throw error;
      problems.push(error.message);
    }
  };
  const text = (raw: string | number) => String(raw);
  const wholeNumber = (raw: string | number, flag: string) => parseNumber(raw, flag, WHOLE_NUMBER_HELP);
  const duration = (raw: string | number, flag: string) => (typeof raw === 'number' ? raw : parseDurationFlag(raw, flag));
  const durations = (raw: string | number, flag: string) => parseDistribution(String(raw), 'ms', flag);

  take('host', flags.host, text);
  take('port', flags.port, wholeNumber);
  take('model', flags.model, text);
  take('seed', flags.seed, wholeNumber);
  take('ttftMs', flags.ttft, durations);
  take('itlMs', flags.itl, durations);
  take('outputTokens', flags.tokens, (raw, flag) => parseDistribution(String(raw), 'tokens', flag));
  take('tokensPerChunk', flags.tokensPerChunk, wholeNumber);
  take('roleChunkAt', flags.roleChunk, (raw, flag) => {
    if (raw === 'first-token' || raw === 'headers') return raw;
    throw new OptionFormatError(`${flag}: "${raw}" is not a choice; use first-token (as vLLM) or headers`);
  });
  take('ttftPerInFlightMs', flags.ttftPerInFlight, duration);
  take('echoDelayMs', flags.echoDelay, durations);
  take('errorRate', flags.errorRate, parseRate);
  take('errorStatus', flags.errorStatus, wholeNumber);
  take('midStreamCloseRate', flags.midStreamCloseRate, parseRate);
  take('midStreamErrorRate', flags.midStreamErrorRate, parseRate);
  take('stallRate', flags.stallRate, parseRate);
  take('maxGroundTruthRecords', flags.maxRecords, wholeNumber);
  take('gradioVersion', flags.gradioVersion, (raw, flag) => {
    if (String(raw) === '4' || String(raw) === '5') return Number(raw) as 4 | 5;
    throw new OptionFormatError(`${flag}: "${raw}" is not a choice; use 4 (routes at the root) or 5 (routes under /gradio_api)`);
  });
  take('heartbeatMs', flags.heartbeat, duration);
  if (flags.tgiLegacyFraming) options.tgiLegacyFraming = true;
  take('ttsRealTimeFactor', flags.ttsRtf, (raw, flag) => parseNumber(raw, flag, 'use a number such as 0.3'));
  take('ttsChunkMs', flags.ttsChunk, duration);
  if (flags.ttsSplitSamples) options.ttsSplitSamples = true;
  take('ttsMsPerWord', flags.ttsMsPerWord, duration);
  take('ttsSampleRate', flags.ttsSampleRate, wholeNumber);
  take('promptTokenizer', flags.promptTokenizer, (raw, flag) => {
    if (raw === 'o200k_base' || raw === 'words') return raw;
    throw new OptionFormatError(`${flag}: "${raw}" is not a choice; use o200k_base (a client's default tokenizer) or words`);
  });

  try {
    const settings = resolveServerOptions(options, (key) => FLAG_OF[key]);
    if (problems.length) throw new InvalidServerOptionsError(problems);
    return settings;
  } catch (error) {
    if (!(error instanceof InvalidServerOptionsError)) throw error;
    throw new InvalidServerOptionsError([...problems, ...error.problems]);
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

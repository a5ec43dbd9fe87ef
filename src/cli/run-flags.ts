import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, type ConfigProblem } from '../model/config-error.js';
import { descriptorOf, PROTOCOL_NAMES, protocolOfUrl } from '../protocols/registry.js';

/** Flags of `inferbench run` that map onto the scenario. Each names the scenario field it sets. */
export function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'target URL (target.url)')
    .option('--protocol <name>', `${PROTOCOL_NAMES.join(' | ')} (target.protocol); default from --url (grpc://, ws://, …/completions, …/audio/speech, …) or --module; see \`inferbench protocols\``)
    .option('--name <name>', 'run name, used in the results file name (name)')
    .option('--model <model>', 'the model to ask for, for every protocol that names one (openai, openai-responses, ollama, kserve, openai-speech)')
    .option('--api <api>', 'openai: chat | completions; gradio: the endpoint, e.g. /predict or /chat; ollama: generate | chat; kserve: infer | generate_stream (target.api)')
    .option('--data <json>', 'gradio: the endpoint inputs as a JSON list, e.g. \'["You are helpful.", "Hello", 512]\' (target.data); see inferbench gradio-info <url>')
    .option('--gradio-mode <mode>', 'gradio: simple (POST /call + GET its stream) | queue (queue/join + the shared queue/data stream) (target.mode)')
    .option('--token <token>', "bearer token, e.g. '${HF_TOKEN}' for a private Space; sent as Authorization: Bearer, redacted (target.token)")
    .option('--text-path <path>', 'gradio: where the text is in the output list, e.g. 0 or "1[0].content" (target.text_path)')
    .option('--content-path <path>', 'sse/ndjson: JSON path of the text in each event, e.g. "choices[0].delta.content" (target.content_path)')
    .option('--end-path <path>', 'sse/ndjson: JSON path that is truthy on the last event, e.g. done (target.end_path)')
    .option('--usage-path <path>', 'sse/ndjson: JSON path of the output token count (target.usage_path)')
    .option('--event-type <type>', 'sse: only events of this type carry content (target.event)')
    .option('--prompt <text>', "the text input, for every protocol that takes one (OpenAI's prompt or user message, Responses' input, TGI's inputs, Ollama's prompt or message, Triton's text_input, speech input); templated")
    .option('--max-tokens <n>', "the output bound, for every protocol that has one (max_tokens, max_output_tokens, TGI's max_new_tokens, Ollama's num_predict, KServe parameters.max_tokens)", int)
    .option('--no-stream', 'ask for a whole answer instead of a stream (target.stream=false)')
    .option('--ignore-eos', 'vLLM: generate exactly max tokens (target.ignore_eos)')
    .option('--method <method>', 'HTTP method (target.method)')
    .option('--body <json|@file>', 'request body: inline JSON, or @path to a JSON file (target.body)')
    .option('-H, --header <header...>', '"Name: value" request header, repeatable; use ${ENV} for secrets (target.headers)')
    .option('--query <pair...>', 'name=value query parameter, repeatable (target.query)')
    .option('--timeout <duration>', 'whole-request timeout (target.timeout; default 600s streams, 120s unary)')
    .option('-c, --concurrency <n>', 'closed loop: requests kept in flight (load.concurrency)', int)
    .option('-n, --requests <n>', 'requests in the measure phase (load.requests)', int)
    .option('-d, --duration <duration>', 'measure-phase duration, e.g. 30s (load.duration)')
    .option('-r, --rate <perSecond>', 'open loop: requests per second (load.rate)', float)
    .option('--arrival <kind>', 'constant | poisson | gamma (load.arrival)')
    .option('--burstiness <factor>', 'gamma shape: 1 = Poisson, < 1 burstier (load.burstiness)', float)
    .option('--max-in-flight <n>', 'open loop cap; arrivals over it are dropped (load.max_in_flight)', int)
    .option('--think-time <duration>', 'closed loop pause between a worker\'s requests (load.think_time)')
    .option('--seed <n>', 'seed for arrivals and templates (load.seed)', int)
    .option('--warmup <n|duration>', 'warmup requests (a number) or time ("10s") before measuring (phases.warmup)')
    .option('--cooldown <duration>', 'pause after measuring (phases.cooldown)')
    .option('--dataset <path>', 'JSONL/JSON/CSV rows for templates, {{row.field}} (dataset.path)')
    .option('--out <path>', 'results file path (output.file)')
    .option('--output-dir <dir>', 'directory for results files (output.dir)')
    .option('--no-write', 'write no results file (output.write=false)')
    .option('--max-errors <n>', 'stop the run after this many failed requests (stop.max_errors)', int)
    .option('--records <format>', 'csv | ndjson: stream one row per request next to the results (output.records)')
    .option('--threshold <expr>', 'check after the run, e.g. "p95(latency)<500ms", "error_rate<1%"; repeatable; a failure exits 3 (thresholds)', collect)
    .option('--proto <file>', 'gRPC: .proto file, or "kserve" / "detector" for the shipped ones (target.proto); --method is then package.Service/Method')
    .option('--request <json|@file>', 'gRPC request / WebSocket message / local input, templated JSON (target.request | message | input)')
    .option('--module <path>', 'in-process target: ESM module (.ts or .js) exporting generate/stream/streamAsync/predict (target.module; protocol local)')
    .option('--mode <mode>', 'local: generate | stream | streamAsync | predict; websocket: stream | echo; grpc: call | frames (stream-stream) (target.mode / target.stream.mode)')
    .option('--frames <spec>', 'image frames in each request: WIDTHxHEIGHT[:png|jpeg|raw] (seeded synthetic) or a folder of images (target.frames)')
    .option('--batch-size <n>', 'frames per request (target.batch_size)', int)
    .option('--input <text>', 'speech: text to speak, templated (target.input); default the dataset row\'s text')
    .option('--response-format <fmt>', 'speech: pcm | wav (target.response_format, or target.format for audio-http)')
    .option('--stream-format <fmt>', 'speech: audio | sse (target.stream_format)')
    .option('--slo <condition...>', 'per-request SLO for goodput, repeatable, e.g. "ttft<=400ms" "rtf<=0.5" (slo)')
    .option('--gpu [interval]', 'sample nvidia-smi during measure phases, e.g. --gpu or --gpu 200ms (monitor.gpu)')
    .option('--server-metrics <url>', 'Prometheus endpoint scraped before, during and after each phase (monitor.server_metrics.url)')
    .option('--server-metric <name...>', 'metric to report from --server-metrics, repeatable, e.g. vllm:num_requests_running');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function int(v: string): number {
  const n = Number(v);
  return Number.isInteger(n) ? n : (NaN as number);
}
function float(v: string): number {
  return Number(v);
}

export interface RunFlags {
  url?: string;
  protocol?: string;
  name?: string;
  model?: string;
  api?: string;
  prompt?: string;
  maxTokens?: number;
  stream?: boolean;
  ignoreEos?: boolean;
  method?: string;
  body?: string;
  header?: string[];
  query?: string[];
  timeout?: string;
  concurrency?: number;
  requests?: number;
  duration?: string;
  rate?: number;
  arrival?: string;
  burstiness?: number;
  maxInFlight?: number;
  thinkTime?: string;
  seed?: number;
  warmup?: string;
  cooldown?: string;
  dataset?: string;
  out?: string;
  outputDir?: string;
  write?: boolean;
  maxErrors?: number;
  data?: string;
  gradioMode?: string;
  token?: string;
  textPath?: string;
  contentPath?: string;
  endPath?: string;
  usagePath?: string;
  eventType?: string;
  records?: string;
  threshold?: string[];
  proto?: string;
  request?: string;
  module?: string;
  mode?: string;
  frames?: string;
  batchSize?: number;
  input?: string;
  responseFormat?: string;
  streamFormat?: string;
  slo?: string[];
  gpu?: boolean | string;
  serverMetrics?: string;
  serverMetric?: string[];
}

/**
 * Lays CLI flags over a scenario object (from a file, or empty). Flags win. Problems found
 * here (unreadable @file, malformed header) are collected and reported together.
 */
export function applyRunFlags(base: Record<string, unknown>, flags: RunFlags): Record<string, unknown> {
  const problems: ConfigProblem[] = [];
  const s = structuredClone(base) as Record<string, Record<string, unknown>>;
  const section = (key: string) => (s[key] ??= {});
  const set = (key: string, field: string, value: unknown) => {
    if (value !== undefined) section(key)[field] = value;
  };
  const numeric = (flag: string, value: number | undefined) => {
    if (value !== undefined && !Number.isFinite(value)) problems.push({ path: `--${flag}`, message: 'expected a number' });
    return value;
  };

  if (flags.name !== undefined) (s as Record<string, unknown>).name = flags.name;
  const target = section('target');
  if (flags.url !== undefined) target.url = flags.url;
  if (flags.protocol !== undefined) target.protocol = flags.protocol;
  else if (target.protocol === undefined && flags.module !== undefined) target.protocol = 'local';
  else if (target.protocol === undefined && typeof target.url === 'string') target.protocol = protocolOfUrl(target.url);
  problems.push(...applyStreamTargetFlags(target, flags));
  set('target', 'api', flags.api);
  // --prompt, --max-tokens and --model mean the same thing for every protocol: each descriptor says where they go.
  const descriptor = descriptorOf(String(target.protocol));
  const fields = descriptor?.flagFields ?? {};
  const common: [keyof typeof fields, string, unknown][] = [
    ['prompt', '--prompt', flags.prompt],
    ['maxTokens', '--max-tokens', numeric('max-tokens', flags.maxTokens)],
    ['model', '--model', flags.model],
  ];
  for (const [field, flag, value] of common) {
    if (value === undefined) continue;
    const path = fields[field];
    if (path) setDotted(target, path, value);
    // An unknown or missing protocol is reported by the schema; no second message here.
    else if (descriptor) problems.push({ path: flag, message: `protocol "${String(target.protocol)}" has no such input; ${flagTakers(field)} take ${flag}` });
  }
  if (flags.data !== undefined) {
    try {
      target.data = JSON.parse(flags.data);
    } catch (err) {
      problems.push({ path: '--data', message: `expected a JSON list such as '["Hello", null]': ${(err as Error).message}` });
    }
  }
  set('target', 'mode', flags.gradioMode);
  set('target', 'token', flags.token);
  set('target', 'text_path', flags.textPath);
  set('target', 'content_path', flags.contentPath);
  set('target', 'end_path', flags.endPath);
  set('target', 'usage_path', flags.usagePath);
  set('target', 'event', flags.eventType);
  if (flags.stream === false) target.stream = false;
  if (flags.ignoreEos) target.ignore_eos = true;
  if (flags.method !== undefined) target.method = target.protocol === 'grpc' ? flags.method : flags.method.toUpperCase();
  if (flags.body !== undefined) {
    try {
      target.body = parseBodyFlag(flags.body);
    } catch (err) {
      problems.push({ path: '--body', message: (err as Error).message });
    }
    if (target.method === undefined && target.protocol === 'http') target.method = 'POST';
  }
  for (const h of flags.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) problems.push({ path: '--header', message: `expected "Name: value", got ${JSON.stringify(h)}` });
    else ((target[target.protocol === 'grpc' ? 'metadata' : 'headers'] ??= {}) as Record<string, string>)[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  for (const q of flags.query ?? []) {
    const i = q.indexOf('=');
    if (i <= 0) problems.push({ path: '--query', message: `expected name=value, got ${JSON.stringify(q)}` });
    else ((target.query ??= {}) as Record<string, string>)[q.slice(0, i)] = q.slice(i + 1);
  }
  set('target', 'timeout', flags.timeout);

  set('load', 'concurrency', numeric('concurrency', flags.concurrency));
  set('load', 'requests', numeric('requests', flags.requests));
  set('load', 'duration', flags.duration);
  set('load', 'rate', numeric('rate', flags.rate));
  set('load', 'arrival', flags.arrival);
  set('load', 'burstiness', numeric('burstiness', flags.burstiness));
  set('load', 'max_in_flight', numeric('max-in-flight', flags.maxInFlight));
  set('load', 'think_time', flags.thinkTime);
  set('load', 'seed', numeric('seed', flags.seed));
  if (flags.rate !== undefined) section('load').mode = 'rate';
  else if (flags.concurrency !== undefined && section('load').mode === undefined) section('load').mode = 'concurrency';

  if (flags.warmup !== undefined) {
    const n = Number(flags.warmup);
    section('phases').warmup = Number.isInteger(n) ? { requests: n } : { duration: flags.warmup };
  }
  set('phases', 'cooldown', flags.cooldown);
  if (flags.dataset !== undefined) set('dataset', 'path', flags.dataset);
  set('output', 'file', flags.out);
  set('output', 'dir', flags.outputDir);
  if (flags.write === false) section('output').write = false;
  set('stop', 'max_errors', numeric('max-errors', flags.maxErrors));
  set('output', 'records', flags.records);
  if (flags.threshold?.length) {
    const own = Array.isArray(s.thresholds) ? (s.thresholds as unknown as unknown[]) : [];
    (s as Record<string, unknown>).thresholds = [...own, ...flags.threshold];
  }
  set('target', 'input', flags.input);
  if (flags.responseFormat !== undefined) target[target.protocol === 'audio-http' ? 'format' : 'response_format'] = flags.responseFormat;
  set('target', 'stream_format', flags.streamFormat);
  if (flags.slo?.length) (s as Record<string, unknown>).slo = flags.slo;
  if (flags.gpu !== undefined) section('monitor').gpu = flags.gpu === true ? true : { interval: flags.gpu };
  if (flags.serverMetrics !== undefined || flags.serverMetric !== undefined) {
    const sm = ((section('monitor').server_metrics ??= {}) as Record<string, unknown>);
    if (flags.serverMetrics !== undefined) sm.url = flags.serverMetrics;
    if (flags.serverMetric !== undefined) sm.metrics = flags.serverMetric;
  }

  if (problems.length) throw new ConfigError(problems);
  return s;
}

function parseBodyFlag(value: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    if (value.startsWith('@')) throw new Error(`${value.slice(1)} is not valid JSON`);
    return text; // a raw string body
  }
}

/** The protocols whose targets take one of the common inputs, for the message when another does not. */
function flagTakers(field: 'prompt' | 'maxTokens' | 'model'): string {
  return PROTOCOL_NAMES.filter((n) => descriptorOf(n)?.flagFields?.[field]).join(', ');
}

/** Sets a dotted path ("parameters.max_tokens") in a plain object, creating objects on the way. */
function setDotted(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const key of keys.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  cur[keys.at(-1)!] = value;
}

/** gRPC, WebSocket and local-target flags (--proto, --request, --module, --mode, --frames, --batch-size). */
function applyStreamTargetFlags(target: Record<string, unknown>, flags: RunFlags): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (flags.proto !== undefined) target.proto = flags.proto;
  if (flags.module !== undefined) target.module = flags.module;
  if (flags.request !== undefined) {
    const field = target.protocol === 'websocket' ? 'message' : target.protocol === 'local' ? 'input' : 'request';
    try {
      target[field] = parseBodyFlag(flags.request);
    } catch (err) {
      problems.push({ path: '--request', message: (err as Error).message });
    }
  }
  if (flags.mode !== undefined) {
    if (target.protocol === 'grpc') target.stream = { ...((target.stream as object) ?? {}), mode: flags.mode };
    else target.mode = flags.mode;
  }
  if (flags.frames !== undefined) {
    const m = /^(\d+)x(\d+)(?::(png|jpeg|raw))?$/.exec(flags.frames);
    const frames = (target.frames ??= {}) as Record<string, unknown>;
    if (m) Object.assign(frames, { width: Number(m[1]), height: Number(m[2]), ...(m[3] ? { format: m[3] } : {}) });
    else frames.folder = flags.frames;
  }
  if (flags.batchSize !== undefined) {
    if (!Number.isInteger(flags.batchSize)) problems.push({ path: '--batch-size', message: 'expected a whole number of frames' });
    else target.batch_size = flags.batchSize;
  }
  return problems;
}

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
    .option('--profile <name>', 'sweep (synchronous, throughput, then --rates rates between) | throughput | synchronous (profile)')
    .option('--rates <n>', 'sweep profile: open-loop rates between the synchronous and throughput rates (profile.rates, default 8)', int)
    .option('--max-concurrency <n>', 'throughput stage: requests kept in flight (profile.max_concurrency, default 64)', int)
    .option('--arrival <kind>', 'constant | poisson | gamma (load.arrival)')
    .option('--burstiness <factor>', 'gamma shape: 1 = Poisson, < 1 burstier (load.burstiness)', float)
    .option('--max-in-flight <n>', 'open loop cap; arrivals over it are dropped (load.max_in_flight)', int)
    .option('--think-time <duration>', 'closed loop pause between a worker\'s requests, e.g. 500ms, or random between two: 1s..3s (load.think_time)')
    .option('--spawn-rate <usersPerSecond>', 'closed loop: start -c users at this many per second, then hold until -d (load.spawn_rate; locust --spawn-rate)', float)
    .option('--seed <n>', 'seed for arrivals and templates (load.seed)', int)
    .option('--warmup <n|duration>', 'warmup requests (a number) or time ("10s") before measuring (phases.warmup)')
    .option('--cooldown <duration>', 'pause after measuring (phases.cooldown)')
    .option('--dataset <path>', 'JSONL/JSON/CSV rows for templates, {{row.field}}; ShareGPT (conversations) or OpenAI messages rows become the prompts (dataset.path)')
    .option('--input-tokens <N[:STD]>', 'LLM: prompts of exactly N tokens (normal with std STD) under the tokenizer, from a seeded built-in corpus (workload.input_tokens)')
    .option('--output-tokens <N[:STD]>', 'LLM: output length sent as max_tokens, held with ignore_eos + min_tokens where supported (workload.output_tokens)')
    .option('--prefix-tokens <n>', 'LLM: one shared prefix of n tokens at the start of every prompt, for prefix caching (workload.prefix_tokens)', int)
    .option('--turns <n>', 'LLM: multi-turn sessions of n turns; each turn resends the history with the server\'s answers (workload.turns)', int)
    .option('--sessions', 'LLM: run each conversation of a ShareGPT / OpenAI-messages dataset as a session, one request per user turn (workload.sessions)')
    .option('--no-fixed-output', 'LLM: send only max_tokens for --output-tokens, not ignore_eos / min_tokens (workload.fixed_output=false)')
    .option('--tokenizer <name|path>', 'client tokenizer: auto (o200k_base), cl100k_base, none, or a model\'s tokenizer.json (or its folder) (tokenizer)')
    .option('--out <path>', 'results file path (output.file)')
    .option('--output-dir <dir>', 'directory for results files (output.dir)')
    .option('--no-write', 'write no results file (output.write=false)')
    .option('--max-errors <n>', 'stop the run after this many failed requests (stop.max_errors)', int)
    .option('--tts-layout', 'speech over named texts: also write <results>.tts.json in the TTS team\'s results layout (output.tts_layout)')
    .option('--records <format>', 'csv | ndjson: stream one row per request next to the results (output.records)')
    .option('--max-error-rate <share>', 'fail (exit 3) when a load point\'s failed / sent is above this, e.g. 5% or 0.05; off by default (adds the threshold error_rate<=SHARE)')
    .option('--threshold <expr>', 'condition every load point must meet, checked after the run, e.g. "p95(latency)<500ms", "error_rate<1%", "fps>20"; repeatable; a failure exits 3 (thresholds)', collect)
    .option('--proto <file>', 'gRPC: .proto file, or "kserve" / "detector" for the shipped ones (target.proto); --method is then package.Service/Method')
    .option('--request <json|@file>', 'gRPC request / WebSocket message / local input, templated JSON (target.request | message | input)')
    .option('--module <path>', 'in-process target: ESM module (.ts or .js) exporting generate/stream/streamAsync/predict (target.module; protocol local)')
    .option('--mode <mode>', 'local: generate | stream | streamAsync | predict; websocket: stream | echo; grpc: call | frames (stream-stream) (target.mode / target.stream.mode)')
    .option('--frames <spec>', 'image frames in each request: WIDTHxHEIGHT[:png|jpeg|raw] (seeded synthetic) or a folder of images (target.frames)')
    .option('--batch-size <n>', 'frames per request (target.batch_size)', int)
    .option('--input <text>', 'speech: text to speak, templated (target.input); default the dataset row\'s text')
    .option('--response-format <fmt>', 'speech: pcm | wav (target.response_format, or target.format for audio-http)')
    .option('--stream-format <fmt>', 'speech: audio | sse (target.stream_format)')
    .option('--sample-rate <hz>', 'speech: sample rate of headerless PCM audio, e.g. 22050 (target.sample_rate; default 24000, OpenAI\'s)', int)
    .option('--slo <condition...>', 'per-request SLO for goodput (no aggregation), repeatable, e.g. "ttft<=400ms" "rtf<=0.5" (slo); for capacity: conditions on each probe, e.g. "p95(ttfc)<400ms"')
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
  profile?: string;
  rates?: number;
  maxConcurrency?: number;
  burstiness?: number;
  maxInFlight?: number;
  thinkTime?: string;
  spawnRate?: number;
  seed?: number;
  warmup?: string;
  cooldown?: string;
  dataset?: string;
  inputTokens?: string;
  outputTokens?: string;
  prefixTokens?: number;
  turns?: number;
  sessions?: boolean;
  fixedOutput?: boolean;
  tokenizer?: string;
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
  ttsLayout?: boolean;
  threshold?: string[];
  maxErrorRate?: string;
  proto?: string;
  request?: string;
  module?: string;
  mode?: string;
  frames?: string;
  batchSize?: number;
  input?: string;
  responseFormat?: string;
  streamFormat?: string;
  sampleRate?: number;
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

  // Both loops at once would silently drop one; a flag that picks a loop replaces the file's other loop.
  if (flags.rate !== undefined && flags.concurrency !== undefined) {
    problems.push({ path: '--rate', message: 'given with -c/--concurrency: an open loop (--rate) sends on its schedule whatever is in flight; a closed loop (-c) keeps N in flight. Use one (to cap an open loop, add --max-in-flight)' });
  }
  if (flags.rate !== undefined && flags.thinkTime !== undefined) {
    problems.push({ path: '--think-time', message: 'given with --rate: think time paces a closed loop (-c); an open loop has none. Drop --think-time, or use -c instead of --rate' });
  }
  if (flags.rate !== undefined) for (const f of ['concurrency', 'think_time', 'spawn_rate', 'mode']) delete section('load')[f];
  if (flags.concurrency !== undefined) for (const f of ['rate', 'arrival', 'burstiness', 'max_in_flight', 'mode']) delete section('load')[f];
  set('load', 'concurrency', numeric('concurrency', flags.concurrency));
  set('load', 'requests', numeric('requests', flags.requests));
  set('load', 'duration', flags.duration);
  set('load', 'rate', numeric('rate', flags.rate));
  set('load', 'arrival', flags.arrival);
  set('load', 'burstiness', numeric('burstiness', flags.burstiness));
  set('load', 'max_in_flight', numeric('max-in-flight', flags.maxInFlight));
  set('load', 'think_time', flags.thinkTime);
  set('load', 'seed', numeric('seed', flags.seed));
  set('load', 'spawn_rate', numeric('spawn-rate', flags.spawnRate));
  if (flags.profile !== undefined || flags.rates !== undefined || flags.maxConcurrency !== undefined) {
    const own = (s as Record<string, unknown>).profile;
    const profile = (typeof own === 'string' ? { name: own } : { ...((own as object) ?? {}) }) as Record<string, unknown>;
    if (flags.profile !== undefined) profile.name = flags.profile;
    if (flags.rates !== undefined) profile.rates = numeric('rates', flags.rates);
    if (flags.maxConcurrency !== undefined) profile.max_concurrency = numeric('max-concurrency', flags.maxConcurrency);
    (s as Record<string, unknown>).profile = profile;
  }

  if (flags.warmup !== undefined) {
    const n = Number(flags.warmup);
    section('phases').warmup = Number.isInteger(n) ? { requests: n } : { duration: flags.warmup };
  }
  set('phases', 'cooldown', flags.cooldown);
  if (flags.dataset !== undefined) set('dataset', 'path', flags.dataset);
  set('workload', 'input_tokens', flags.inputTokens);
  set('workload', 'output_tokens', flags.outputTokens);
  set('workload', 'prefix_tokens', numeric('prefix-tokens', flags.prefixTokens));
  set('workload', 'turns', numeric('turns', flags.turns));
  if (flags.sessions) section('workload').sessions = true;
  if (flags.fixedOutput === false && s.workload) section('workload').fixed_output = false;
  if (flags.tokenizer !== undefined) (s as Record<string, unknown>).tokenizer = flags.tokenizer;
  set('output', 'file', flags.out);
  set('output', 'dir', flags.outputDir);
  if (flags.write === false) section('output').write = false;
  set('stop', 'max_errors', numeric('max-errors', flags.maxErrors));
  set('output', 'records', flags.records);
  if (flags.ttsLayout) section('output').tts_layout = true;
  const extraThresholds = [...(flags.threshold ?? [])];
  if (flags.maxErrorRate !== undefined) {
    const share = parseShare(flags.maxErrorRate);
    if (share === undefined) problems.push({ path: '--max-error-rate', message: `expected a share of requests from 0 to 1 or a percentage, e.g. 0.05 or 5%, got ${JSON.stringify(flags.maxErrorRate)}` });
    else extraThresholds.push(`error_rate<=${share}`);
  }
  if (extraThresholds.length) {
    const own = Array.isArray(s.thresholds) ? (s.thresholds as unknown as unknown[]) : [];
    (s as Record<string, unknown>).thresholds = [...own, ...extraThresholds];
  }
  set('target', 'input', flags.input);
  if (flags.responseFormat !== undefined) target[target.protocol === 'audio-http' ? 'format' : 'response_format'] = flags.responseFormat;
  set('target', 'stream_format', flags.streamFormat);
  set('target', 'sample_rate', numeric('sample-rate', flags.sampleRate));
  if (flags.slo?.length) (s as Record<string, unknown>).slo = flags.slo;
  if (flags.gpu !== undefined) section('monitor').gpu = flags.gpu === true ? true : { interval: flags.gpu };
  if (flags.serverMetrics !== undefined || flags.serverMetric !== undefined) {
    const sm = ((section('monitor').server_metrics ??= {}) as Record<string, unknown>);
    if (flags.serverMetrics !== undefined) sm.url = flags.serverMetrics;
    if (flags.serverMetric !== undefined) sm.metrics = flags.serverMetric;
  }

  if (Array.isArray((s as Record<string, unknown>).steps)) flagsOverSteps((s as Record<string, unknown>).steps as Record<string, unknown>[], base, s);
  if (problems.length) throw new ConfigError(problems);
  return s;
}

/**
 * Flags win over every step too: a field a flag set at the top (`--cooldown 0`, `-c 8`,
 * `--timeout 5s`) is removed from each step's own override, so the flag's value reaches every
 * step; a flag that picks a loop also removes the other loop's fields from each step.
 */
function flagsOverSteps(steps: Record<string, unknown>[], before: Record<string, unknown>, after: Record<string, unknown>): void {
  for (const key of ['target', 'load', 'phases']) {
    const was = (before[key] ?? {}) as Record<string, unknown>;
    const now = (after[key] ?? {}) as Record<string, unknown>;
    const changed = Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(was[k]));
    if (key === 'target') {
      // The url and body differ per step by nature: a flag for them has no single meaning across steps.
      for (const k of ['url', 'body', 'query', 'protocol']) if (changed.includes(k)) changed.splice(changed.indexOf(k), 1);
    }
    if (key === 'load' && now.rate !== undefined && was.rate !== now.rate) changed.push('concurrency', 'think_time', 'spawn_rate', 'mode');
    if (key === 'load' && now.concurrency !== undefined && was.concurrency !== now.concurrency) changed.push('rate', 'arrival', 'burstiness', 'max_in_flight', 'mode');
    for (const step of steps) {
      const own = step[key] as Record<string, unknown> | undefined;
      if (own) for (const k of changed) delete own[k];
    }
  }
}

/** `5%` or `0.05` → 0.05; undefined when it is not a share from 0 to 1. */
function parseShare(text: string): number | undefined {
  const t = text.trim();
  const n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  return t !== '' && t !== '%' && Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
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

/**
 * What each number means, defined once: the metric table that `--help`, the HTML report,
 * conditions and the recorder all read. A run reports only the metrics of its family
 * (what its protocol produces), plus the ones every request has.
 */

/** Units a metric is recorded in. */
export type MetricUnit = 'ms' | 'tokens' | 'tokens/s' | 'count' | 'ratio' | 'bytes' | 'chars/s' | 's' | 'frames/s' | 'requests/s';

/**
 * What a protocol produces, and so which metrics a run can have:
 * `unary` (one answer: latency, status, bytes), `text` (tokens), `audio` (samples with a
 * sample rate), `frames` (images in, one answer per frame or batch).
 */
export const METRIC_FAMILIES = ['unary', 'text', 'audio', 'frames'] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/** What one run point measured: its family, whether answers were streamed, and whether the target ran in this process. */
export interface FamilyOf {
  family: MetricFamily;
  /** Answers arrive as a stream of events (SSE, NDJSON, gRPC server stream, WebSocket, callbacks); stream-shaped metrics exist only then. */
  streamed: boolean;
  /** An in-process target (`local`): callback time and memory peaks exist only then. */
  inProcess?: boolean;
}

/** The kinds of content a stream event can carry; each family's metrics derive only from its own kind. */
export const CONTENT_KINDS = ['tokens', 'samples', 'frames', 'bytes', 'messages'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

/** The content kind each family's metrics are derived from (unary answers carry opaque bytes). */
export const CONTENT_KIND_OF_FAMILY: Record<MetricFamily, ContentKind> = { unary: 'bytes', text: 'tokens', audio: 'samples', frames: 'frames' };

export interface MetricDefinition {
  unit: MetricUnit;
  definition: string;
  /** Families that can produce it; absent = every request of every family. */
  families?: readonly MetricFamily[];
  /** Only when answers are streamed. */
  streamOnly?: boolean;
  /** Only for in-process targets. */
  inProcessOnly?: boolean;
  /** `run`: one number per load point (a throughput, a rate), not a per-request distribution. */
  level?: 'run';
  /** Another name for a metric of this table (`throughput` for `request_throughput`); conditions accept both. */
  aliasOf?: string;
  /** Measured only by `inferbench overhead`, once per compared mode (arm), never by a run. */
  overheadOnly?: boolean;
}

const TEXT = ['text'] as const;
const AUDIO = ['audio'] as const;
const FRAMES = ['frames'] as const;
const STREAMS = ['text', 'audio', 'frames'] as const;

/**
 * Every metric inferbench reports. Protocol-specific extras (Ollama's server durations, Gradio's
 * queue time) are declared by their protocol's descriptor in the same shape.
 */
export const METRICS = {
  // Every request
  latency: { unit: 'ms', definition: 'end − start (start = intended start in open loop, send time in closed loop); ok requests' },
  service_time: { unit: 'ms', definition: 'end − sent (closed-loop latency is this plus connect, when the request opened a connection); ok requests' },
  ttfb: { unit: 'ms', definition: 'first response byte − start; ok requests' },
  queue_delay: { unit: 'ms', definition: 'sent − scheduled (open loop only, every request); large values mean the client fell behind' },
  connect: { unit: 'ms', definition: 'time to open the connection (TCP, TLS, WebSocket handshake) when the request needed a new one; part of latency' },
  error_latency: { unit: 'ms', definition: 'end − start of failed requests (kept apart so failures never flatter or spoil latency)' },
  // Streams
  first_event: { unit: 'ms', definition: 'first complete stream event with any payload (heartbeats excluded) − start', families: STREAMS, streamOnly: true },
  // Text
  ttft: { unit: 'ms', definition: 'first event carrying non-empty text − start (a role-only or empty chunk does not count)', families: TEXT, streamOnly: true },
  itl: { unit: 'ms', definition: 'one sample per gap between consecutive text events', families: TEXT, streamOnly: true },
  itl_per_token: { unit: 'ms', definition: 'each itl gap divided by the tokens in the later event', families: TEXT, streamOnly: true },
  tpot: { unit: 'ms', definition: '(last text event − first text event) / (output_tokens − 1); undefined for ≤ 1 token or < 2 text events', families: TEXT, streamOnly: true },
  stream_time: { unit: 'ms', definition: 'last content event − first event', families: STREAMS, streamOnly: true },
  output_tokens: { unit: 'tokens', definition: 'server usage field, else client tokenizer, else text events', families: TEXT },
  input_tokens: { unit: 'tokens', definition: 'server usage field (prompt tokens), else the client tokenizer over the prompt as sent', families: TEXT },
  decode_speed: { unit: 'tokens/s', definition: '1000 / tpot (per request)', families: TEXT, streamOnly: true },
  // Audio
  ttfc: { unit: 'ms', definition: 'first audio chunk with at least one whole sample − start', families: AUDIO, streamOnly: true },
  audio_seconds: { unit: 's', definition: 'samples received / sample rate (WAV header, or PCM bytes with the declared rate, width and channels)', families: AUDIO },
  rtf: { unit: 'ratio', definition: 'latency / audio duration (below 1 = faster than real time)', families: AUDIO },
  stream_rtf: { unit: 'ratio', definition: '(end − first audio chunk) / audio duration', families: AUDIO, streamOnly: true },
  stall_count: { unit: 'count', definition: 'chunks that arrived after the audio before them would have finished playing', families: AUDIO, streamOnly: true },
  stall_ms: { unit: 'ms', definition: 'silence a listener would have heard waiting for late chunks, summed per request', families: AUDIO, streamOnly: true },
  audio_chunks_count: { unit: 'count', definition: 'chunks that completed at least one sample', families: AUDIO, streamOnly: true },
  // Frames
  frame_latency: { unit: 'ms', definition: "per request, the mean over its frames of answer − the frame's arrival", families: FRAMES },
  batch_latency: { unit: 'ms', definition: 'batches: end − sent of the whole batch', families: FRAMES },
  first_frame_wait: { unit: 'ms', definition: 'batches: time the first frame waited for the batch to fill', families: FRAMES },
  frames_count: { unit: 'count', definition: 'frames per request (the batch size)', families: FRAMES },
  // In-process
  callback_time: { unit: 'ms', definition: 'time spent inside the token callback, summed per request', inProcessOnly: true },
  heap_peak_bytes: { unit: 'bytes', definition: 'peak V8 heap used while the call ran', inProcessOnly: true },
  rss_peak_bytes: { unit: 'bytes', definition: 'peak resident set size while the call ran', inProcessOnly: true },
  // One number per load point
  request_throughput: { unit: 'requests/s', definition: 'ok requests / duration', level: 'run' },
  error_rate: { unit: 'ratio', definition: 'failed / sent', level: 'run' },
  goodput: { unit: 'requests/s', definition: 'requests/s meeting every SLO the run set', level: 'run' },
  output_token_throughput: { unit: 'tokens/s', definition: 'output tokens of ok requests / duration', families: TEXT, level: 'run' },
  input_token_throughput: { unit: 'tokens/s', definition: 'input tokens of ok requests / duration', families: TEXT, level: 'run' },
  total_token_throughput: { unit: 'tokens/s', definition: '(input + output tokens of ok requests) / duration', families: TEXT, level: 'run' },
  peak_output_token_throughput: { unit: 'tokens/s', definition: 'the busiest whole second of output tokens, each token placed by its arrival time', families: TEXT, level: 'run' },
  fps: { unit: 'frames/s', definition: 'frames whose answers arrived / duration', families: FRAMES, level: 'run' },
  peak_fps: { unit: 'frames/s', definition: 'the busiest whole second of frames, each placed by its answer’s arrival', families: FRAMES, level: 'run' },
  audio_realtime: { unit: 'ratio', definition: 'audio seconds received per wall second across concurrent streams', families: AUDIO, level: 'run' },
  vram: { unit: 'bytes', definition: 'peak GPU memory used during the phase (nvidia-smi, all processes; needs --gpu)', level: 'run' },
  gpu_util: { unit: 'ratio', definition: 'mean GPU utilisation during the phase (needs --gpu)', level: 'run' },
  // Other names conditions accept
  throughput: { unit: 'requests/s', definition: 'request_throughput', level: 'run', aliasOf: 'request_throughput' },
  vram_peak: { unit: 'bytes', definition: 'vram', level: 'run', aliasOf: 'vram' },
  // `inferbench overhead`, per compared mode
  overhead: {
    unit: 'ratio',
    definition: '(median(mode) − median(baseline)) / median(baseline), with a bootstrap interval of that ratio; a threshold is judged on the whole interval',
    inProcessOnly: true,
    level: 'run',
    overheadOnly: true,
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

/** Whether a metric can exist in a run of this family (protocol extras are checked by their descriptor). */
export function metricApplies(def: MetricDefinition, of: FamilyOf): boolean {
  if (def.overheadOnly || def.aliasOf) return false;
  if (def.families && !def.families.includes(of.family)) return false;
  if (def.streamOnly && !of.streamed) return false;
  if (def.inProcessOnly && !of.inProcess) return false;
  return true;
}

/** Names of the table's metrics a run of this family can produce. */
export function metricsOfFamily(of: FamilyOf, level: 'request' | 'run' | 'any' = 'any'): string[] {
  return Object.entries(METRICS as Record<string, MetricDefinition>)
    .filter(([, d]) => metricApplies(d, of) && (level === 'any' || (level === 'run') === (d.level === 'run')))
    .map(([name]) => name);
}

/** Integer multiplier per unit before recording into an HDR histogram (ms → µs; rates keep 3 decimals). */
export const SCALE_BY_UNIT: Record<MetricUnit, number> = {
  ms: 1000,
  tokens: 1,
  'tokens/s': 1000,
  count: 1,
  ratio: 1_000_000,
  bytes: 1,
  'chars/s': 1000,
  s: 1_000_000,
  'frames/s': 1000,
  'requests/s': 1000,
};

/**
 * Unit of a metric by name: the table, else the naming rule for protocol-specific metrics
 * ("ms unless the name says otherwise": `_tokens`, `_bytes`, `_count`, `_ratio`/`rtf`, `_per_s`, `_seconds`).
 */
export function metricUnit(name: string): MetricUnit {
  const def = (METRICS as Record<string, MetricDefinition>)[name];
  if (def) return def.unit;
  if (name.endsWith('_tokens')) return 'tokens';
  if (name.endsWith('_bytes')) return 'bytes';
  if (name.endsWith('_count')) return 'count';
  if (name.endsWith('_ratio') || name === 'rtf' || name.endsWith('_rtf')) return 'ratio';
  if (name.endsWith('tokens_per_s')) return 'tokens/s';
  if (name.endsWith('chars_per_s')) return 'chars/s';
  if (name.endsWith('_seconds')) return 's';
  return 'ms';
}

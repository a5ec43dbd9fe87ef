import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { nowMs } from '../../model/clock.js';
import { FrameSource, placeFrames, recordFrames, type FrameBatch } from '../frames/frame-source.js';
import { TimelineBuilder, type OutcomeKind, type Timeline } from '../../model/timeline.js';
import { ConfigError } from '../../model/config-error.js';
import { compileTemplate, hasPlaceholders, type CompiledTemplate } from '../../scenario/template.js';
import { compileExtraction, compilePath, extractionProblems, getPath, type Extraction, type Extractor } from '../wire/extraction.js';
import { loadGrpcMethod, type GrpcMethod } from './method.js';
import type { GrpcTarget } from './schema.js';
import type { FamilyOf } from '../../model/metrics.js';
import type { ProtocolClient, RequestInput, TemplateVars } from '../types.js';
import { consumerFailureMessage } from '../wire/consumer-failure.js';
import { requestTimeoutMs } from '../../scenario/fields.js';

const REQUEST_ID_METADATA = 'x-inferbench-request-id';

/** Triton's decoupled-stream conventions, used when the target names none. */
const MODEL_STREAM_INFER_DEFAULTS: Extraction = {
  content_path: 'infer_response.raw_output_contents[0]',
  end_path: 'infer_response.parameters.triton_final_response.bool_param',
  end_value: true,
  error_path: 'error_message',
};

/** gRPC status code name, e.g. "UNAVAILABLE", as recorded in `Timeline.status`. */
export function statusName(code: number): string {
  return grpc.status[code] ?? String(code);
}

/** How a non-OK status reads as an outcome. */
export function outcomeOfStatus(code: number): OutcomeKind {
  if (code === grpc.status.OK) return 'ok';
  if (code === grpc.status.DEADLINE_EXCEEDED) return 'timeout';
  if (code === grpc.status.UNAVAILABLE) return 'connection_error';
  if (code === grpc.status.CANCELLED) return 'aborted';
  return 'protocol_error';
}

interface Rendered {
  message: Record<string, unknown>;
  metadata: grpc.Metadata;
  batch?: FrameBatch;
}

/**
 * Frames when requests carry frames (a frames stream when each is answered on one bidi
 * stream); a text stream when a server stream's text is extracted; else a unary call (whose
 * answer may still arrive as a stream of opaque messages).
 */
export function grpcFamily(target: Pick<GrpcTarget, 'frames' | 'stream'>, responseStream: boolean, extractsText: boolean): FamilyOf {
  if (target.frames) return { family: 'frames', streamed: target.stream.mode === 'frames' };
  if (responseStream && extractsText) return { family: 'text', streamed: true };
  return { family: 'unary', streamed: responseStream };
}

/**
 * A gRPC client for one method of any .proto (@grpc/grpc-js): unary, server streaming,
 * client streaming, bidi per call, or bidi `frames` mode where one long-lived stream
 * carries every request and each answer is matched to its frame.
 */
export class GrpcClient implements ProtocolClient {
  readonly family: FamilyOf;
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly renderMetadata: CompiledTemplate | undefined;
  private readonly render: CompiledTemplate;
  private readonly extract: Extractor | undefined;
  private readonly timeoutMs: number;
  private frameStream: FrameStream | undefined;

  private constructor(
    private readonly target: GrpcTarget,
    private readonly method: GrpcMethod,
    private readonly frames: FrameSource | undefined,
  ) {
    const u = new URL(target.url);
    this.client = new grpc.Client(`${u.hostname}:${u.port}`, credentialsFor(target), {
      'grpc.ssl_target_name_override': target.tls?.server_name,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.max_send_message_length': 256 * 1024 * 1024,
    } as grpc.ChannelOptions);
    this.metadata = metadataOf(target.metadata);
    this.render = compileTemplate(target.request, 'request');
    // Metadata is templated per call ({{uuid}} request ids); constant metadata is built once.
    this.renderMetadata = hasPlaceholders(target.metadata) ? compileTemplate(target.metadata, 'metadata') : undefined;
    const isModelStreamInfer = method.path.endsWith('/ModelStreamInfer');
    const extraction: Extraction = isModelStreamInfer ? { ...MODEL_STREAM_INFER_DEFAULTS, ...definedOnly(target) } : definedOnly(target);
    this.extract = method.responseStream && Object.keys(extraction).length ? compileExtraction(extraction) : undefined;
    this.timeoutMs = requestTimeoutMs(target.timeout, Boolean(method.responseStream || method.requestStream));
    this.family = grpcFamily(target, Boolean(method.responseStream), this.extract !== undefined && extraction.content_path !== undefined);
  }

  /** Loads the .proto and the frames; every problem is reported with its field. */
  static async create(target: GrpcTarget): Promise<GrpcClient> {
    const problems = extractionProblems(target).map((p) => ({ path: `target.${p.path}`, message: p.message }));
    let method: GrpcMethod | undefined;
    try {
      method = await loadGrpcMethod(target.proto, target.method, target.include_dirs);
    } catch (err) {
      const message = (err as Error).message;
      const field = message.startsWith('method:') ? 'method' : 'proto';
      problems.push({ path: `target.${field}`, message: message.replace(/^(method|proto): /, '') });
    }
    if (method) problems.push(...requestFieldProblems(method, target));
    if (method && target.stream.mode === 'frames' && !(method.requestStream && method.responseStream)) {
      problems.push({ path: 'target.stream.mode', message: `"frames" needs a bidirectional streaming method; ${target.method} is not one. Use mode "call".` });
    }
    const frames = await FrameSource.forTarget(target, problems);
    if (problems.length) throw new ConfigError(problems);
    return new GrpcClient(target, method!, frames);
  }

  /** The call's message and metadata from its vars (a build module's `request`/`metadata` replace the templates). */
  prepare(vars: TemplateVars): Omit<Rendered, 'batch'> {
    const built = vars.built;
    const message = (built?.request ?? this.render(vars)) as Record<string, unknown>;
    const md = built?.metadata ?? (this.renderMetadata?.(vars) as Record<string, string> | undefined);
    return { message, metadata: md ? metadataOf({ ...this.target.metadata, ...md }) : this.metadata };
  }

  private async renderRequest(input: RequestInput): Promise<Rendered> {
    const prepared = (input.prepared as Omit<Rendered, 'batch'> | undefined) ?? this.prepare(input.vars);
    // The frames are placed into a copy: a prepared message is never changed.
    const message = this.frames ? structuredClone(prepared.message) : prepared.message;
    if (!this.frames) return { ...prepared, message };
    const batch = await this.frames.batch(input.index, input.signal);
    placeFrames(message, batch, this.target.frames!, input.index, this.target.frames!.encoding ?? 'bytes', this.target.batch_size !== undefined);
    return { ...prepared, message, batch };
  }

  async send(input: RequestInput): Promise<Timeline> {
    const tl = new TimelineBuilder(input.index, input.scheduledMs);
    let rendered: Rendered;
    try {
      rendered = await this.renderRequest(input);
    } catch (err) {
      return tl.finish(input.signal.aborted ? 'aborted' : 'protocol_error', `cannot build the request: ${(err as Error).message}`);
    }
    if (input.signal.aborted) return tl.finish('aborted', 'stopped before sending');
    let t: Timeline;
    if (this.target.stream.mode === 'frames') {
      this.frameStream ??= new FrameStream(this.client, this.method, this.metadata, this.target, this.timeoutMs, () => (this.frameStream = undefined));
      t = await this.frameStream.send(tl, rendered.message, input);
    } else {
      t = await this.call(tl, rendered.message, rendered.metadata, input);
    }
    if (rendered.batch) recordFrames(t, rendered.batch, this.target.batch_size !== undefined);
    return t;
  }

  private call(tl: TimelineBuilder, message: Record<string, unknown>, metadata: grpc.Metadata, input: RequestInput): Promise<Timeline> {
    const m = this.method;
    // Serialization is the latest moment grpc-js lets a client see: the HTTP/2 write follows
    // inside grpc-js. Against the reference server's header-arrival stamp that gap measured
    // 0.9–1.1 ms on an idle 2-core machine, which is part of every unary latency we report.
    const serialize = (v: object) => {
      const b = m.serialize(v);
      if (tl.t.bytesOut === 0) tl.sent();
      tl.t.bytesOut += b.length;
      return b;
    };
    // Unary answers: the response message's arrival is the answer (per-frame latency = request
    // message sent → response message received); the OK trailers follow in the same flight.
    let messageAtMs: number | undefined;
    const deserialize = (b: Buffer) => {
      messageAtMs = nowMs();
      tl.firstByte(messageAtMs);
      tl.bytesIn(b.length);
      return m.deserialize(b);
    };
    const options: grpc.CallOptions = { deadline: Date.now() + this.timeoutMs };
    return new Promise<Timeline>((resolve) => {
      let call: grpc.Call;
      let ended = false;
      let finals = 0;
      const done = (outcome: OutcomeKind, error?: string, at = nowMs()) => {
        if (ended) return;
        ended = true;
        input.signal.removeEventListener('abort', onAbort);
        resolve(tl.finish(outcome, error, at));
      };
      const onStatus = (s: grpc.StatusObject, at = nowMs()) => {
        tl.t.status = statusName(s.code);
        done(outcomeOfStatus(s.code), s.code === grpc.status.OK ? undefined : `${statusName(s.code)}: ${s.details}`, at);
      };
      const onMessage = (msg: Record<string, unknown>, at = nowMs()) => {
        // The step captures values from the answer: keep its last message, as JSON.
        if (input.keepResponse) tl.t.responseText = JSON.stringify(msg);
        if (!this.extract) {
          tl.message(at);
          return;
        }
        const x = this.extract(msg);
        if (x.error) {
          tl.t.bodyPreview = x.error.slice(0, 512);
          tl.t.status = tl.t.status ?? 'OK';
          call.cancel();
          return done('protocol_error', `in-band error: ${x.error}`, at);
        }
        if (x.content) tl.text(x.content, 1, at);
        else if (x.content === undefined && !this.target.content_path && !x.end) tl.message(at);
        else tl.event(at);
        if (x.usageTokens !== undefined) tl.t.usageTokens = x.usageTokens;
        if (x.end && ++finals >= (m.requestStream ? this.target.stream.messages : 1)) {
          tl.t.status = 'OK';
          done('ok', undefined, at);
          // The answer is complete; a half-closed stream ends on its own, a server stream is let go.
          if (!m.requestStream) call.cancel();
        }
      };
      const onAbort = () => call?.cancel();
      input.signal.addEventListener('abort', onAbort, { once: true });

      if (!m.requestStream && !m.responseStream) {
        call = this.client.makeUnaryRequest(m.path, serialize, deserialize, message, metadata, options, (err, value) => {
          if (err) return onStatus({ code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? err.message, metadata: new grpc.Metadata() }, nowMs());
          const at = messageAtMs ?? nowMs();
          if (value !== undefined) tl.t.bodyPreview = previewOf(value);
          if (value !== undefined && input.keepResponse) tl.t.responseText = JSON.stringify(value);
          tl.t.status = 'OK';
          done('ok', undefined, at);
        });
      } else if (m.requestStream && !m.responseStream) {
        const c = this.client.makeClientStreamRequest(m.path, serialize, deserialize, metadata, options, (err, value) => {
          if (err) return onStatus({ code: err.code ?? grpc.status.UNKNOWN, details: err.details ?? err.message, metadata: new grpc.Metadata() }, nowMs());
          const at = messageAtMs ?? nowMs();
          if (value !== undefined) tl.t.bodyPreview = previewOf(value);
          if (value !== undefined && input.keepResponse) tl.t.responseText = JSON.stringify(value);
          tl.t.status = 'OK';
          done('ok', undefined, at);
        });
        call = c;
        for (let i = 0; i < this.target.stream.messages; i++) c.write(message);
        c.end();
      } else {
        const c: grpc.ClientReadableStream<Record<string, unknown>> | grpc.ClientDuplexStream<object, Record<string, unknown>> = m.requestStream
          ? this.client.makeBidiStreamRequest(m.path, serialize, deserialize, metadata, options)
          : this.client.makeServerStreamRequest(m.path, serialize, deserialize, message, metadata, options);
        call = c;
        c.on('data', (msg: Record<string, unknown>) => {
          try {
            onMessage(msg);
          } catch (err) {
            call.cancel();
            done('protocol_error', consumerFailureMessage(err, previewOf(msg)));
          }
        });
        c.on('status', (s: grpc.StatusObject) => onStatus(s));
        // Errors also arrive as a status; the listener keeps them from being thrown.
        c.on('error', () => undefined);
        if (m.requestStream) {
          const d = c as grpc.ClientDuplexStream<object, Record<string, unknown>>;
          for (let i = 0; i < this.target.stream.messages; i++) d.write(message);
          d.end();
        }
      }
      call.on('metadata', (md: grpc.Metadata) => {
        tl.t.headersMs ??= nowMs();
        const id = md.get(REQUEST_ID_METADATA)[0];
        if (id !== undefined) tl.t.serverRequestId = String(id);
      });
    });
  }

  async close(): Promise<void> {
    this.frameStream?.close();
    this.client.close();
  }
}

function credentialsFor(target: GrpcTarget): grpc.ChannelCredentials {
  const tls = new URL(target.url).protocol === 'grpcs:' || target.tls !== undefined;
  if (!tls) return grpc.credentials.createInsecure();
  const read = (p?: string) => (p ? readFileSync(p) : null);
  return grpc.credentials.createSsl(read(target.tls?.ca), read(target.tls?.key), read(target.tls?.cert));
}

function definedOnly(target: GrpcTarget): Extraction {
  const out: Extraction = {};
  for (const key of ['content_path', 'end_path', 'end_value', 'usage_path', 'error_path'] as const) {
    if (target[key] !== undefined) (out as Record<string, unknown>)[key] = target[key];
  }
  return out;
}

function previewOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? '<bytes>' : v)).slice(0, 512);
}

interface PendingFrame {
  id: string;
  tl: TimelineBuilder;
  resolve: (t: Timeline) => void;
  timer: NodeJS.Timeout;
  onAbort: () => void;
  signal: AbortSignal;
}

/**
 * One bidi stream carrying many frames (the detection seed's stream-stream mode). Each frame
 * is one request message; the answer that matches it (next in order, or with the same id)
 * ends that frame's timeline. If the stream fails, every frame in flight fails with its status
 * and the next frame opens a new stream.
 */
class FrameStream {
  private readonly call: grpc.ClientDuplexStream<object, Record<string, unknown>>;
  private readonly inOrder: PendingFrame[] = [];
  private readonly byId = new Map<string, PendingFrame>();
  private readonly idPath: (string | number)[] | undefined;
  private readonly responseIdPath: (string | number)[] | undefined;
  private nextId = 0;
  private serverRequestId: string | undefined;
  private closed = false;
  private bytesOut = 0;
  private bytesIn = 0;

  constructor(
    client: grpc.Client,
    method: GrpcMethod,
    metadata: grpc.Metadata,
    private readonly target: GrpcTarget,
    private readonly timeoutMs: number,
    private readonly onClosed: () => void,
  ) {
    const idField = target.stream.id_field;
    this.idPath = idField ? compilePath(idField) : undefined;
    this.responseIdPath = idField ? compilePath(target.stream.response_id_field ?? idField) : undefined;
    this.call = client.makeBidiStreamRequest(
      method.path,
      (v: object) => {
        const b = method.serialize(v);
        this.bytesOut = b.length;
        return b;
      },
      (b: Buffer) => {
        this.bytesIn = b.length;
        return method.deserialize(b);
      },
      metadata,
    );
    this.call.on('metadata', (md: grpc.Metadata) => {
      const id = md.get(REQUEST_ID_METADATA)[0];
      if (id !== undefined) this.serverRequestId = String(id);
    });
    this.call.on('data', (msg: Record<string, unknown>) => {
      try {
        this.onAnswer(msg, nowMs());
      } catch (err) {
        const p = this.inOrder[0] ?? this.byId.values().next().value;
        if (p) this.settle(p, 'protocol_error', consumerFailureMessage(err, previewOf(msg)), nowMs());
      }
    });
    this.call.on('status', (s: grpc.StatusObject) => this.fail(s.code, s.details));
    this.call.on('error', () => undefined);
  }

  send(tl: TimelineBuilder, message: Record<string, unknown>, input: RequestInput): Promise<Timeline> {
    const id = String(this.nextId++);
    if (this.idPath) setAt(message, this.idPath, id);
    return new Promise<Timeline>((resolve) => {
      const pending: PendingFrame = {
        id,
        tl,
        resolve,
        signal: input.signal,
        timer: setTimeout(() => this.settle(pending, 'timeout', `no answer to the frame within ${this.timeoutMs} ms`, nowMs(), 'DEADLINE_EXCEEDED'), this.timeoutMs),
        onAbort: () => this.settle(pending, 'aborted', 'stopped', nowMs()),
      };
      pending.timer.unref();
      input.signal.addEventListener('abort', pending.onAbort, { once: true });
      if (this.idPath) this.byId.set(id, pending);
      else this.inOrder.push(pending);
      tl.sent();
      this.call.write(message);
      tl.t.bytesOut = this.bytesOut;
    });
  }

  private onAnswer(msg: Record<string, unknown>, atMs: number): void {
    let pending: PendingFrame | undefined;
    if (this.responseIdPath) {
      const id = String(getPath(msg, this.responseIdPath));
      pending = this.byId.get(id);
    } else {
      pending = this.inOrder[0];
    }
    if (!pending) return;
    pending.tl.bytesIn(this.bytesIn);
    // The stream's response headers came once, before most frames were sent: a frame's first byte is its answer.
    pending.tl.firstByte(atMs);
    pending.tl.frames(1, atMs);
    pending.tl.t.bodyPreview = previewOf(msg);
    this.settle(pending, 'ok', undefined, atMs, 'OK');
  }

  private settle(p: PendingFrame, outcome: OutcomeKind, error: string | undefined, atMs: number, status?: string): void {
    if (this.idPath) {
      if (!this.byId.delete(p.id)) return;
    } else {
      const i = this.inOrder.indexOf(p);
      if (i < 0) return;
      this.inOrder.splice(i, 1);
    }
    clearTimeout(p.timer);
    p.signal.removeEventListener('abort', p.onAbort);
    if (status) p.tl.t.status = status;
    if (this.serverRequestId) p.tl.t.serverRequestId = this.serverRequestId;
    p.resolve(p.tl.finish(outcome, error, atMs));
  }

  private fail(code: number, details: string): void {
    this.closed = true;
    this.onClosed();
    const at = nowMs();
    const all = [...this.inOrder, ...this.byId.values()];
    const outcome = code === grpc.status.OK ? 'protocol_error' : outcomeOfStatus(code);
    const message = code === grpc.status.OK ? 'the server ended the stream before answering this frame' : `${statusName(code)}: ${details}`;
    for (const p of all) this.settle(p, outcome, message, at, statusName(code));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.end();
    this.call.cancel();
  }
}

function setAt(target: Record<string, unknown>, keys: (string | number)[], value: string): void {
  let v: Record<string | number, unknown> = target;
  for (let i = 0; i < keys.length - 1; i++) v = (v[keys[i]!] ??= {}) as Record<string | number, unknown>;
  v[keys[keys.length - 1]!] = value;
}

function metadataOf(pairs: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(pairs)) md.add(k, String(v));
  return md;
}

/** Fields the request template and the frames name that the .proto's request message lacks (protobuf would drop them silently). */
function requestFieldProblems(method: GrpcMethod, target: GrpcTarget): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (target.frames?.path) {
    let keys: (string | number)[] | undefined;
    try {
      keys = compilePath(target.frames.path);
    } catch (err) {
      problems.push({ path: 'target.frames.path', message: (err as Error).message });
    }
    const problem = keys && method.requestFieldProblem(keys);
    if (problem) problems.push({ path: 'target.frames.path', message: `${problem}: the frames would be dropped from every request` });
  }
  const walk = (value: unknown, keys: (string | number)[]): void => {
    if (Array.isArray(value)) return value.length ? walk(value[0], [...keys, 0]) : undefined;
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      const problem = method.requestFieldProblem([...keys, k]);
      if (problem) problems.push({ path: `target.request.${[...keys, k].join('.')}`, message: `${problem}; protobuf would drop it from every request` });
      else walk(v, [...keys, k]);
    }
  };
  walk(target.request, []);
  return problems;
}

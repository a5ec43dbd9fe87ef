import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { nowMs, sleepUntil } from '../model/clock.js';
import type { EndReason, GroundTruthEventKind, GroundTruthRecorder, GroundTruthStore, MarkDetail } from './ground-truth.js';
import type { ServerSettings } from './options.js';
import type { DelayPlan, GenerationLimits, RequestPlanner, StreamPlan } from './request-plan.js';

/** A request the client got wrong (bad JSON, bad field); answered with this status and message. */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The machinery every route shares: settings, the seeded planner, the ground-truth store. */
export interface ServerState {
  settings: ServerSettings;
  planner: RequestPlanner;
  groundTruth: GroundTruthStore;
  /** Requests that drew a stream plan and have not ended; feeds `ttftPerInFlightMs`. */
  generationsInFlight: number;
  /** `usage.prompt_tokens` of a prompt (settings.promptTokenizer). */
  countPromptTokens: (text: string) => number;
}

/** Request bodies above this are refused: the emulator needs prompts, not uploads. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export const REQUEST_ID_HEADER = 'x-inferbench-request-id';

/**
 * One request and its response, as a route handler sees it. Every write goes through
 * here, so ground truth is stamped immediately before the bytes reach the socket and a
 * route cannot forget to.
 */
export class RouteContext {
  /** Aborted when the client leaves or the server closes; pass it to every wait. */
  readonly signal: AbortSignal;
  private readonly aborter = new AbortController();
  private countedInFlight = false;

  constructor(
    /** Also the ground-truth id and the `x-inferbench-request-id` header. */
    readonly id: string,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly url: URL,
    readonly params: Record<string, string>,
    /** When the request's headers arrived: the zero of its plan. */
    readonly receivedMs: number,
    readonly server: ServerState,
    /** Absent on routes that keep no record (health, ground-truth itself). */
    readonly groundTruth: GroundTruthRecorder | undefined,
  ) {
    this.signal = this.aborter.signal;
    response.on('close', () => {
      if (this.countedInFlight) server.generationsInFlight--;
      this.countedInFlight = false;
      // 'close' also follows a normal end; then `end()` has already recorded 'completed'.
      this.abort(response.writableFinished ? 'completed' : 'client-disconnected');
    });
  }

  get settings(): ServerSettings {
    return this.server.settings;
  }

  /** The prompt tokens a real server would report for this text. */
  countPromptTokens(text: string): number {
    return this.server.countPromptTokens(text);
  }

  /** Draws this request's generation; it counts as in flight until its response closes. */
  drawStreamPlan(limits: GenerationLimits = {}): StreamPlan {
    const plan = this.server.planner.drawStreamPlan(limits, this.server.generationsInFlight);
    if (!this.countedInFlight && !this.signal.aborted) {
      this.server.generationsInFlight++;
      this.countedInFlight = true;
    }
    this.groundTruth?.plan(plan);
    return plan;
  }

  drawDelayPlan(): DelayPlan {
    const plan = this.server.planner.drawDelayPlan();
    this.groundTruth?.plan(plan);
    return plan;
  }

  async readBody(): Promise<Buffer> {
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const part of this.request as AsyncIterable<Buffer>) {
      bytes += part.length;
      if (bytes > MAX_BODY_BYTES) throw new RequestError(413, `request body is over ${MAX_BODY_BYTES} bytes`);
      parts.push(part);
    }
    return Buffer.concat(parts);
  }

  /** The body as JSON; an empty body is `undefined`. */
  async readJson(): Promise<unknown> {
    const text = (await this.readBody()).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new RequestError(400, `request body is not valid JSON: ${(error as Error).message}`);
    }
  }

  /** Writes status and headers now (before any event), so the client's `headers` mark has a true counterpart. */
  startStream(status: number, headers: OutgoingHttpHeaders): void {
    if (this.signal.aborted) return;
    this.groundTruth?.headers(status);
    this.response.writeHead(status, headers);
    this.response.flushHeaders();
  }

  /** Writes one event's bytes, stamping ground truth immediately before. False when the response is gone. */
  writeEvent(kind: GroundTruthEventKind, bytes: string | Uint8Array, detail?: MarkDetail): boolean {
    if (this.signal.aborted || this.response.destroyed) return false;
    this.groundTruth?.mark(kind, detail);
    this.response.write(bytes);
    return true;
  }

  /** Ends the response normally. */
  end(): void {
    if (this.signal.aborted || this.response.destroyed) return;
    this.groundTruth?.end('completed');
    this.response.end();
  }

  /** A whole JSON answer in one write: headers, body and end. */
  sendJson(status: number, body: unknown, kind: GroundTruthEventKind = 'content', detail?: MarkDetail): void {
    this.send(status, JSON.stringify(body), 'application/json', kind, detail);
  }

  /** A whole answer in one write. `kind` says what the body is for ground truth. */
  send(status: number, body: string | Uint8Array, contentType: string, kind: GroundTruthEventKind, detail?: MarkDetail): void {
    if (this.signal.aborted || this.response.destroyed) return;
    const atMs = nowMs();
    this.groundTruth?.headers(status, atMs);
    this.groundTruth?.mark(kind, detail, atMs);
    this.groundTruth?.end('completed', atMs);
    this.response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    this.response.end(body);
  }

  /** Drops the TCP connection mid-answer, as a crashed worker would: no terminating chunk, no [DONE]. */
  destroyConnection(): void {
    if (this.signal.aborted) return;
    this.abort('connection-destroyed');
    const { socket } = this.request;
    // Node's http layer corks a chunk until the next tick; a bare destroy() in the same tick as a
    // write would discard bytes ground truth says were sent. Ending first flushes them, then the FIN
    // arrives mid-body, as when a crashed process's kernel closes its sockets.
    socket.end(() => socket.destroy());
  }

  /** Waits until the monotonic clock reads `targetMs`; false when the request was aborted meanwhile. */
  async waitUntil(targetMs: number): Promise<boolean> {
    await sleepUntil(targetMs, this.signal);
    return !this.signal.aborted;
  }

  /** Resolves when the client leaves or the server closes. */
  waitForDisconnect(): Promise<void> {
    return new Promise((resolve) => {
      if (this.signal.aborted) return resolve();
      this.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Stops the request: records why (the first reason wins) and wakes every wait. */
  abort(reason: EndReason): void {
    this.groundTruth?.end(reason);
    this.aborter.abort(reason);
  }
}

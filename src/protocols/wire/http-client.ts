import type { Dispatcher } from 'undici';
import type { FamilyOf } from '../../model/metrics.js';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { requestTimeoutMs } from '../../scenario/fields.js';
import { compileHttpRequest, hasHeader, hasPlaceholders, type HttpRequestParts } from '../../scenario/template.js';
import type { ClientContext } from '../descriptor.js';
import type { ProtocolClient, RequestInput, TemplateVars } from '../types.js';
import { createDispatcher, httpExchange, type BodyConsumer, type HttpRequestSpec } from './http-exchange.js';
import { Http1Pool } from './http1-pool.js';

/** What an HTTP-based protocol sends for each request, described once from its target. */
export interface HttpRequestPlan {
  /** May hold placeholders (`/fit/{{row.id}}`), path and query alike. */
  url: string;
  method: string;
  /** The target's headers; values may hold placeholders. */
  headers: Record<string, string>;
  /** A JSON value (sent as JSON) or a string (sent as is), templated; absent: no body. */
  body?: unknown;
  /** Query parameters added to the URL, templated. */
  query?: Record<string, unknown>;
  /** Content type of a string body (JSON bodies are application/json). */
  contentType?: string;
  accept?: string;
  /** Streamed answers get the long default timeout. */
  streamed: boolean;
  timeoutMs?: number;
}

export interface BuiltRequest {
  url: string;
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * Renders a plan's url (path and query), headers and body for one request, before its timed
 * section starts, through the template layer's one HTTP renderer (scenario/template.ts
 * compileHttpRequest): every placeholder an independent seeded draw, a build module's parts
 * replacing the templates, constant parts built once (the URL is parsed once, a constant body
 * serialized once), so the per-request cost of a plain target is a few property reads.
 */
export class HttpRequestBuilder {
  private readonly render: (vars: TemplateVars) => HttpRequestParts;
  private lastUrl: { text: string; origin: string; path: string } | undefined;
  /** The one request a plan without placeholders sends (unless a build module replaces parts), built once. */
  readonly constant: BuiltRequest | undefined;

  constructor(readonly plan: HttpRequestPlan) {
    const headers: Record<string, string> = { ...plan.headers };
    if (plan.accept && !hasHeader(headers, 'accept')) headers.accept = plan.accept;
    this.render = compileHttpRequest({ url: plan.url, headers, query: plan.query, body: plan.body, contentType: plan.contentType });
    if (!hasPlaceholders(plan.url) && !hasPlaceholders(plan.query ?? {}) && !hasPlaceholders(headers) && !hasPlaceholders(plan.body)) {
      this.constant = Object.freeze(this.renderBuilt({ index: 0, seed: 0 }));
    }
  }

  /** The request for these vars (the same object every time when the plan has no placeholders and no build module). */
  build(vars: TemplateVars): BuiltRequest {
    return (vars.built === undefined ? this.constant : undefined) ?? this.renderBuilt(vars);
  }

  private renderBuilt(vars: TemplateVars): BuiltRequest {
    const parts = this.render(vars);
    // A url without placeholders renders to the same string every time: parse it once.
    if (this.lastUrl?.text !== parts.url) {
      const u = new URL(parts.url);
      this.lastUrl = { text: parts.url, origin: u.origin, path: u.pathname + u.search };
    }
    return { url: parts.url, origin: this.lastUrl.origin, path: this.lastUrl.path, method: this.plan.method, headers: parts.headers, body: parts.body };
  }
}

/** Sends built requests and follows their answers: {@link Http1Pool} for plain HTTP, undici for the rest. */
interface HttpTransport {
  exchange(spec: HttpRequestSpec, input: RequestInput, makeConsumer: (tl: TimelineBuilder) => BodyConsumer, tl?: TimelineBuilder): Promise<Timeline>;
  close(): Promise<void>;
}

/**
 * The lean pool when the target's origin is plain HTTP and fixed (its path, query, headers and
 * body may still be templated per call); undici for https and for a call whose origin differs
 * from the pool's (a templated host, a build module's url), created on the first such call.
 */
function transportFor(url: string, maxConnections: number): HttpTransport {
  let fallback: Dispatcher | undefined;
  const viaUndici: HttpTransport['exchange'] = (spec, input, makeConsumer, tl) => httpExchange((fallback ??= createDispatcher(maxConnections)), spec, input, makeConsumer, tl);
  const closeFallback = async () => {
    await fallback?.close();
  };
  const origin = fixedPlainHttpOrigin(url);
  if (origin === undefined) return { exchange: viaUndici, close: closeFallback };
  const pool = new Http1Pool(new URL(origin), maxConnections);
  return {
    exchange: (spec, input, makeConsumer, tl) => (spec.origin === origin ? pool.exchange(spec, input, makeConsumer, tl) : viaUndici(spec, input, makeConsumer, tl)),
    close: async () => {
      await pool.close();
      await closeFallback();
    },
  };
}

/** `http://host:port` of a url whose scheme and authority hold no placeholder; undefined otherwise. */
function fixedPlainHttpOrigin(url: string): string | undefined {
  const authority = /^http:\/\/[^/?#]*/i.exec(url)?.[0];
  if (authority === undefined || authority.includes('{{')) return undefined;
  try {
    return new URL(authority).origin;
  } catch {
    return undefined;
  }
}

/**
 * The skeleton every HTTP-based protocol shares: one connection pool sized from the load, the
 * request built from its plan, the whole-request timeout, and close. A protocol adds only
 * what it reads from the answer (its body consumer).
 */
export abstract class HttpProtocolClient implements ProtocolClient {
  abstract readonly family: FamilyOf;
  protected readonly request: HttpRequestBuilder;
  protected readonly timeoutMs: number;
  private readonly transport: HttpTransport;
  /** The spec of the constant request, so the transport can keep its bytes. */
  private readonly constantSpec: HttpRequestSpec | undefined;

  constructor(plan: HttpRequestPlan, ctx: Pick<ClientContext, 'maxConcurrency'>) {
    this.transport = transportFor(plan.url, ctx.maxConcurrency);
    this.request = new HttpRequestBuilder(plan);
    this.timeoutMs = requestTimeoutMs(plan.timeoutMs, plan.streamed);
    const constant = this.request.constant;
    this.constantSpec = constant ? Object.freeze({ ...constant, timeoutMs: this.timeoutMs, constant: true }) : undefined;
  }

  /** The request for these vars, built before its timed section; `send` gets it back as `input.prepared`. */
  prepare(vars: TemplateVars): BuiltRequest {
    return this.request.build(vars);
  }

  send(input: RequestInput): Promise<Timeline> {
    return this.exchange(input, this.requestFor(input));
  }

  /** This call's request: built before the timed section (`input.prepared`), else now. */
  protected requestFor(input: RequestInput): BuiltRequest {
    return (input.prepared as BuiltRequest | undefined) ?? this.request.build(input.vars);
  }

  /** Sends one built request and follows its answer with this protocol's consumer. */
  protected exchange(input: RequestInput, req: BuiltRequest, tl?: TimelineBuilder): Promise<Timeline> {
    const spec: HttpRequestSpec = req === this.request.constant ? this.constantSpec! : { ...req, timeoutMs: this.timeoutMs };
    return this.transport.exchange(spec, input, (t) => this.consumer(t, input), tl);
  }

  protected abstract consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer;

  async close(): Promise<void> {
    await this.transport.close();
  }
}

export { hasHeader };

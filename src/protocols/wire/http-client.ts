import type { Dispatcher } from 'undici';
import type { FamilyOf } from '../../model/metrics.js';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { requestTimeoutMs } from '../../scenario/fields.js';
import { compileHttpRequest, hasHeader, type HttpRequestParts } from '../../scenario/template.js';
import type { ClientContext } from '../descriptor.js';
import type { ProtocolClient, RequestInput, TemplateVars } from '../types.js';
import { createDispatcher, httpExchange, type BodyConsumer, type HttpRequestSpec } from './http-exchange.js';

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

  constructor(readonly plan: HttpRequestPlan) {
    const headers: Record<string, string> = { ...plan.headers };
    if (plan.accept && !hasHeader(headers, 'accept')) headers.accept = plan.accept;
    this.render = compileHttpRequest({ url: plan.url, headers, query: plan.query, body: plan.body, contentType: plan.contentType });
  }

  build(vars: TemplateVars): BuiltRequest {
    const parts = this.render(vars);
    // A url without placeholders renders to the same string every time: parse it once.
    if (this.lastUrl?.text !== parts.url) {
      const u = new URL(parts.url);
      this.lastUrl = { text: parts.url, origin: u.origin, path: u.pathname + u.search };
    }
    return { url: parts.url, origin: this.lastUrl.origin, path: this.lastUrl.path, method: this.plan.method, headers: parts.headers, body: parts.body };
  }
}


/**
 * The skeleton every HTTP-based protocol shares: one connection pool sized from the load, the
 * request built from its plan, the whole-request timeout, and close. A protocol adds only
 * what it reads from the answer (its body consumer).
 */
export abstract class HttpProtocolClient implements ProtocolClient {
  abstract readonly family: FamilyOf;
  protected readonly dispatcher: Dispatcher;
  protected readonly request: HttpRequestBuilder;
  protected readonly timeoutMs: number;

  constructor(plan: HttpRequestPlan, ctx: Pick<ClientContext, 'maxConcurrency'>) {
    this.dispatcher = createDispatcher(ctx.maxConcurrency);
    this.request = new HttpRequestBuilder(plan);
    this.timeoutMs = requestTimeoutMs(plan.timeoutMs, plan.streamed);
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
    const spec: HttpRequestSpec = { ...req, timeoutMs: this.timeoutMs };
    return httpExchange(this.dispatcher, spec, input, (t) => this.consumer(t, input), tl);
  }

  protected abstract consumer(tl: TimelineBuilder, input: RequestInput): BodyConsumer;

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

export { hasHeader };

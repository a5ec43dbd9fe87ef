import type { Dispatcher } from 'undici';
import type { FamilyOf } from '../../model/metrics.js';
import type { Timeline, TimelineBuilder } from '../../model/timeline.js';
import { requestTimeoutMs } from '../../scenario/fields.js';
import { compileTemplate, hasPlaceholders } from '../../scenario/template.js';
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
 * Renders a plan's url, headers and body for one request, before its timed section starts.
 * Whatever holds no placeholder is built once (the URL is parsed once, a constant body
 * serialized once), so the per-request cost of a plain target is a few property reads.
 */
export class HttpRequestBuilder {
  private readonly url: (vars: TemplateVars) => { url: string; origin: string; path: string };
  private readonly headers: (vars: TemplateVars) => Record<string, string>;
  private readonly body: (vars: TemplateVars) => string | undefined;

  constructor(readonly plan: HttpRequestPlan) {
    const headers: Record<string, string> = { ...plan.headers };
    const body = plan.body;
    const isJson = body !== undefined && typeof body !== 'string';
    if (body !== undefined && !hasHeader(headers, 'content-type')) headers['content-type'] = isJson ? 'application/json' : (plan.contentType ?? 'text/plain');
    if (plan.accept && !hasHeader(headers, 'accept')) headers.accept = plan.accept;

    this.headers = constantOr(headers, (render) => (vars) => render(vars) as Record<string, string>);
    if (body === undefined) this.body = () => undefined;
    else if (!hasPlaceholders(body)) {
      const text = isJson ? JSON.stringify(body) : (body as string);
      this.body = () => text;
    } else {
      const render = compileTemplate(body);
      this.body = isJson ? (vars) => JSON.stringify(render(vars)) : (vars) => String(render(vars));
    }
    const query = plan.query && Object.keys(plan.query).length ? plan.query : undefined;
    const withQuery = (url: string, q: Record<string, unknown> | undefined) => {
      const u = new URL(url);
      for (const [k, v] of Object.entries(q ?? {})) u.searchParams.set(k, String(v));
      return { url: u.toString(), origin: u.origin, path: u.pathname + u.search };
    };
    if (!hasPlaceholders(plan.url) && !hasPlaceholders(query)) {
      const fixed = withQuery(plan.url, query);
      this.url = () => fixed;
    } else {
      const renderUrl = compileTemplate(plan.url);
      const renderQuery = compileTemplate(query ?? {});
      this.url = (vars) => withQuery(String(renderUrl(vars)), renderQuery(vars) as Record<string, unknown>);
    }
  }

  build(vars: TemplateVars): BuiltRequest {
    return { ...this.url(vars), method: this.plan.method, headers: this.headers(vars), body: this.body(vars) };
  }
}

function constantOr<T>(value: T, compiled: (render: (vars: TemplateVars) => unknown) => (vars: TemplateVars) => T): (vars: TemplateVars) => T {
  if (!hasPlaceholders(value)) return () => value;
  return compiled(compileTemplate(value));
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

  send(input: RequestInput): Promise<Timeline> {
    return this.exchange(input, this.request.build(input.vars));
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

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === lower);
}

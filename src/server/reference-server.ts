import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { nowMs } from '../model/clock.js';
import { vllmErrorBody } from './error-body.js';
import { GroundTruthStore } from './ground-truth.js';
import type { ServerSettings } from './options.js';
import { parseServeOptions, type LegacyServeOptions, type ServeOptions } from './serve-options.js';
import { RequestPlanner } from './request-plan.js';
import { loadPromptCounter } from './text.js';
import { REQUEST_ID_HEADER, RequestError, RouteContext, type ServerState } from './route-context.js';
import { Router, type RouteHandler, type RouteOptions } from './router.js';
import { registerEchoRoutes } from './routes/echo.js';
import { registerGroundTruthRoutes } from './routes/ground-truth.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOpenAiRoutes } from './routes/openai.js';
import { registerGradioRoutes } from './routes/gradio.js';
import { registerGradioQueueRoutes } from './routes/gradio-queue.js';
import { registerTgiRoutes } from './routes/tgi.js';
import { registerOllamaRoutes } from './routes/ollama.js';
import { registerKserveRoutes } from './routes/kserve.js';
import { registerOpenAiResponsesRoutes } from './routes/openai-responses.js';
import { attachWebSocketEndpoints } from './websocket.js';
import { registerSpeechRoutes } from './routes/speech.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerOpenAiEmbeddingsRoutes } from './routes/openai-embeddings.js';
import { registerModelApiRoutes, type SeriesStore } from './routes/model-api.js';

/** A running reference server. */
export interface ReferenceServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  host: string;
  settings: ServerSettings;
  groundTruth: GroundTruthStore;
  /** The model API's fitted series (POST /fit/{series_id}), by id. */
  series: SeriesStore;
  /** Adds an emulated route; it shares the server's timing, faults and ground truth. */
  addRoute(method: string, pathPattern: string, handler: RouteHandler, options?: RouteOptions): void;
  /** Ends every open request and connection (stalled streams included) and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the reference inference server: an emulated vLLM-style endpoint whose timing,
 * faults and text are drawn from seeded distributions, and which records the true send
 * time of every event it writes.
 */
export async function serve(options: ServeOptions & LegacyServeOptions = {}): Promise<ReferenceServer> {
  const settings = parseServeOptions(options);
  const groundTruth = new GroundTruthStore(settings.maxGroundTruthRecords);
  const countPromptTokens = await loadPromptCounter(settings.promptTokenizer);
  const state: ServerState = { settings, planner: new RequestPlanner(settings), groundTruth, generationsInFlight: 0, countPromptTokens };
  const router = new Router();
  registerOpenAiRoutes(router);
  registerEchoRoutes(router);
  registerHealthRoutes(router);
  registerGroundTruthRoutes(router);
  registerGradioRoutes(router);
  registerGradioQueueRoutes(router);
  registerTgiRoutes(router);
  registerOllamaRoutes(router);
  registerKserveRoutes(router);
  registerOpenAiResponsesRoutes(router);
  registerSpeechRoutes(router);
  registerMetricsRoutes(router);
  registerOpenAiEmbeddingsRoutes(router);
  const series = registerModelApiRoutes(router);

  const sockets = new Set<Socket>();
  const openRequests = new Set<RouteContext>();
  let nextRequestNumber = 1;
  let closing: Promise<void> | undefined;

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const receivedMs = nowMs();
    const id = String(nextRequestNumber++);
    response.setHeader(REQUEST_ID_HEADER, id);
    const url = new URL(request.url ?? '/', 'http://reference.invalid');
    const match = router.match(request.method ?? 'GET', url.pathname);
    if (match.kind !== 'found') {
      // FastAPI's answers, which vLLM inherits.
      const [status, detail] = match.kind === 'wrong-method' ? [405, 'Method Not Allowed'] : [404, 'Not Found'];
      if (match.kind === 'wrong-method') response.setHeader('allow', match.allowedMethods.join(', '));
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail }));
      return;
    }
    const { route, params } = match;
    const recorder = route.groundTruth ? groundTruth.start(id, `${route.method} ${route.pattern}`, url.pathname, receivedMs) : undefined;
    const context = new RouteContext(id, request, response, url, params, receivedMs, state, recorder);
    openRequests.add(context);
    response.on('close', () => openRequests.delete(context));
    Promise.resolve()
      .then(() => route.handler(context))
      .catch((error: unknown) => answerHandlerError(context, error));
  }

  const server = createServer({ noDelay: true, keepAlive: true }, handleRequest);
  attachWebSocketEndpoints(server, state);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = settings.host.includes(':') ? `[${settings.host}]` : settings.host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    host: settings.host,
    settings,
    groundTruth,
    series,
    addRoute: (method, pathPattern, handler, routeOptions) => router.add(method, pathPattern, handler, routeOptions),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const context of openRequests) context.abort('server-closed');
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}

/** A client mistake gets its 4xx; anything else is a bug in a route and says so. */
function answerHandlerError(context: RouteContext, error: unknown): void {
  // The client left or the server is closing (a body read then fails): nothing to answer, nothing wrong.
  if (context.signal.aborted || context.request.socket.destroyed) return context.abort('client-disconnected');
  const isRequestError = error instanceof RequestError;
  if (!isRequestError) console.error(`inferbench reference server: route ${context.url.pathname} failed:`, error);
  if (context.response.headersSent) {
    context.abort('server-error');
    context.request.socket.destroy();
    return;
  }
  if (isRequestError) return context.sendJson(error.status, vllmErrorBody(error.status, error.message), 'error');
  context.groundTruth?.end('server-error');
  context.sendJson(500, vllmErrorBody(500, `inferbench reference server bug: ${(error as Error)?.message ?? String(error)}`), 'error');
}

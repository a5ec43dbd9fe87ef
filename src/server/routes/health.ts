import type { Router } from '../router.js';

/** vLLM's `/health`: 200 with an empty body while the server can answer. */
export function registerHealthRoutes(router: Router): void {
  router.add('GET', '/health', (context) => context.send(200, '', 'text/plain; charset=utf-8', 'content'), { groundTruth: false });
}

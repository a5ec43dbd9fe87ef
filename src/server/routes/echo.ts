/** A plain JSON endpoint for unary HTTP benchmarks: answers with what it got, after a drawn delay. */
import { vllmErrorBody } from '../error-body.js';
import type { RouteContext } from '../route-context.js';
import type { Router } from '../router.js';

export function registerEchoRoutes(router: Router): void {
  router.add('POST', '/echo', async (context) => answerEcho(context, await readEchoBody(context)));
  router.add('GET', '/echo', (context) => answerEcho(context, Object.fromEntries(context.url.searchParams)));
}

/** JSON bodies come back as JSON; anything else comes back as its text. */
async function readEchoBody(context: RouteContext): Promise<unknown> {
  const text = (await context.readBody()).toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function answerEcho(context: RouteContext, echo: unknown): Promise<void> {
  const plan = context.drawDelayPlan();
  if (!(await context.waitUntil(context.receivedMs + plan.delayMs))) return;
  if (plan.fault.kind === 'error') {
    const status = context.settings.errorStatus;
    return context.sendJson(status, vllmErrorBody(status, 'inferbench reference server: injected error (errorRate)'), 'error');
  }
  context.sendJson(200, { echo, id: context.id });
}

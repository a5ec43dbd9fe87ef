/**
 * A load-generating worker thread (started by scale/workers.ts): runs each phase the main
 * thread posts with this worker's share of the load, on this thread's own event loop and
 * connections, and posts back progress, finished Timelines (when asked) and the phase's result.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { workerShare } from '../load/share.js';
import { keepAnswerText, type Timeline } from '../model/timeline.js';
import { loadTokenCounter } from '../measure/tokens.js';
import { assessClientHealth } from '../monitor/client-health.js';
import { createClient } from '../protocols/registry.js';
import type { ProtocolClient } from '../protocols/types.js';
import { maxConcurrency, runPhase, type PhaseName } from './runner.js';
import { loadDataset } from '../scenario/dataset.js';
import { SecretRegistry } from '../scenario/secrets.js';
import type { FromWorker, ToWorker, WorkerInit } from './workers.js';

/** Finished Timelines are posted in batches: one message per request would cost more than the request. */
const REQUEST_BATCH = 256;
const REQUEST_FLUSH_MS = 50;

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);
const share = workerShare(init.segment, init.worker, init.workers);
// Stop conditions are checked by the main thread on the totals of all workers.
const scenario = { ...init.scenario, stop: {} as typeof init.scenario.stop };
keepAnswerText(init.keepTextChars);
const secrets = new SecretRegistry();
for (const v of init.secretValues) secrets.add(v);
const dataset = scenario.dataset ? await loadDataset(scenario.dataset, scenario.load.seed) : undefined;
const tokenizer = scenario.tokenizer === 'auto' ? loadTokenCounter() : undefined;
const stop = new AbortController();
setMaxListeners(0, stop.signal);
let current: { pointIndex: number; client: ProtocolClient } | undefined;

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stop.abort(m.reason);
  else if (m.type === 'close') void close();
  else void runOnePhase(m).catch((err: Error) => post({ type: 'failed', message: err.message, stack: err.stack }));
});

post({ type: 'ready' });

async function runOnePhase(m: Extract<ToWorker, { type: 'phase' }>): Promise<void> {
  if (current?.pointIndex !== m.pointIndex) {
    await current?.client.close().catch(() => undefined);
    const share1 = Math.ceil(maxConcurrency(m.point.load) / share.count);
    current = { pointIndex: m.pointIndex, client: await createClient(m.point.target, { secrets, maxConcurrency: share1 }) };
  }
  let batch: Timeline[] = [];
  const flush = () => {
    if (batch.length) post({ type: 'requests', timelines: batch, timeOrigin: performance.timeOrigin, phase: m.phase });
    batch = [];
  };
  const flusher = m.wantRequests ? setInterval(flush, REQUEST_FLUSH_MS) : undefined;
  const eluStart = performance.eventLoopUtilization();
  const outcome = await runPhase(
    m.phase,
    scenario,
    m.point.load,
    m.bounds,
    current.client,
    dataset,
    tokenizer,
    stop,
    {
      secrets,
      onProgress: (p) => post({ type: 'progress', counts: { sent: p.sent, done: p.done, ok: p.ok, failed: p.failed, inFlight: p.inFlight } }),
      onRequest: m.wantRequests
        ? (t: Timeline, _phase: PhaseName) => {
            batch.push(t);
            if (batch.length >= REQUEST_BATCH) flush();
          }
        : undefined,
    },
    m.point.label,
    { share, originMs: m.originEpochMs - performance.timeOrigin },
  );
  if (flusher) clearInterval(flusher);
  flush();
  // process.cpuUsage() counts every thread of the process; this thread's busy share is what
  // says whether it kept up, so the CPU figure of a worker's part is its event-loop utilization.
  const h = outcome.result.clientHealth;
  h.cpuPercent = performance.eventLoopUtilization(eluStart).utilization * 100;
  h.clientBound = assessClientHealth({ eventLoopDelay: h.eventLoopDelayMs, cpuPercent: h.cpuPercent, lateSendShare: h.lateSendShare }).clientBound;
  post({ type: 'phase-done', outcome });
}

async function close(): Promise<void> {
  await current?.client.close().catch(() => undefined);
  await tokenizer?.close();
  post({ type: 'closed' });
  port.close();
}

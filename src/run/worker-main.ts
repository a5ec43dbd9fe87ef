/**
 * A load-generating worker thread (started by scale/workers.ts): runs each phase the main
 * thread posts with this worker's share of the load, on this thread's own event loop and
 * connections, and posts back progress, finished Timelines (when asked) and the phase's result.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { keepAnswerText, type Timeline } from '../model/timeline.js';
import { loadTokenCounter } from '../measure/tokens.js';
import { loadTextTools, withWorkload } from '../workload/requests.js';
import { createClient } from '../protocols/registry.js';
import type { ProtocolClient } from '../protocols/types.js';
import { maxConcurrency, runPhase } from './phase.js';
import type { PhaseName } from '../model/progress.js';
import { loadDataset } from '../scenario/dataset.js';
import { SecretRegistry } from '../scenario/secrets.js';
import type { FromWorker, ToWorker, WorkerInit } from './workers.js';

/** Finished Timelines are posted in batches: one message per request would cost more than the request. */
const REQUEST_BATCH = 256;
const REQUEST_FLUSH_MS = 50;

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (m: FromWorker) => port.postMessage(m);
const scenario = init.scenario;
keepAnswerText(init.keepTextChars);
const secrets = new SecretRegistry();
for (const v of init.secretValues) secrets.add(v);
const dataset = scenario.dataset ? await loadDataset(scenario.dataset, scenario.load.seed) : undefined;
const text = await loadTextTools(scenario, dataset);
// This thread's own tokenizer process: counts come back without a hop through the main thread.
const tokenizer = text.tokenizerSpec ? loadTokenCounter(text.tokenizerSpec) : undefined;
const stop = new AbortController();
setMaxListeners(0, stop.signal);
let current: { pointIndex: number; client: ProtocolClient } | undefined;

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stop.abort(m.reason);
  else if (m.type === 'close') void close();
  else void runOnePhase(m).catch((err: Error) => post({ type: 'failed', message: err.message, stack: err.stack }));
});

post({ type: 'ready' });

async function runOnePhase({ spec, wantRequests }: Extract<ToWorker, { type: 'phase' }>): Promise<void> {
  if (current?.pointIndex !== spec.pointIndex) {
    await current?.client.close().catch(() => undefined);
    const share1 = Math.ceil((spec.connections ?? maxConcurrency(spec.point.load)) / spec.share.count);
    current = { pointIndex: spec.pointIndex, client: withWorkload(await createClient(spec.point.target, { secrets, maxConcurrency: share1 }), text.workload) };
  }
  let batch: Timeline[] = [];
  const flush = () => {
    if (batch.length) post({ type: 'requests', timelines: batch, timeOrigin: performance.timeOrigin, phase: spec.phase });
    batch = [];
  };
  const flusher = wantRequests ? setInterval(flush, REQUEST_FLUSH_MS) : undefined;
  const outcome = await runPhase(spec, {
    client: current.client,
    dataset,
    tokenizer,
    stop,
    secrets,
    onProgress: (p) => post({ type: 'progress', counts: { sent: p.sent, done: p.done, ok: p.ok, failed: p.failed, inFlight: p.inFlight } }),
    onRequest: wantRequests
      ? (t: Timeline, _phase: PhaseName) => {
          batch.push(t);
          if (batch.length >= REQUEST_BATCH) flush();
        }
      : undefined,
  });
  if (flusher) clearInterval(flusher);
  flush();
  // This part's health figures (its own thread's busy share among them) go back as they are;
  // the main thread judges the merged phase once.
  post({ type: 'phase-done', outcome });
}

async function close(): Promise<void> {
  await current?.client.close().catch(() => undefined);
  await tokenizer?.close();
  post({ type: 'closed' });
  port.close();
}

// Worker entry for server-thread.ts: loads the built server (dist/, built by test/global-setup.ts), then serves.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { serve } = await import(workerData.module);
const server = await serve(workerData.options);
// The server thread's own lateness (how late its loop ran, sampled every 10 ms, beyond that
// interval), as the client's health monitor measures the client's: a request that waits in a
// busy or descheduled server thread is stamped "received" late, which the ground truth cannot see.
const RESOLUTION_MS = 10;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
const late = (ns) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
parentPort.postMessage({ url: server.url });
parentPort.on('message', async (m) => {
  if (m === 'close') {
    delay.disable();
    await server.close();
    parentPort.postMessage('closed');
  } else if (m === 'lateness') {
    const sampled = delay.count > 0;
    parentPort.postMessage({ lateness: { p99: sampled ? late(delay.percentile(99)) : 0, max: sampled ? late(delay.max) : 0 } });
    delay.reset();
  }
});

import { Worker } from 'node:worker_threads';
import type { ReferenceServerOptions } from '../../src/server/index.js';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';

/**
 * The reference server on its own thread, so timing tests measure the network path and not
 * two parties sharing one event loop (a CI machine has 2 cores: client on one, server on the other).
 * Ground truth comes over HTTP, as another tool would read it; its times are durations within
 * the server thread's own clock.
 */
/** The stamping server thread's own event-loop lateness over a span, in ms beyond its 10 ms sampling. */
export type ServerLateness = { p99: number; max: number };

export interface ServerThread {
  url: string;
  groundTruth(): Promise<GroundTruthRecord[]>;
  clearGroundTruth(): Promise<void>;
  /**
   * The server thread's own event-loop lateness (ms beyond its 10 ms sampling) since the last
   * call, which starts the next span: call it before a measured run and after.
   */
  lateness(): Promise<ServerLateness>;
  close(): Promise<void>;
}

export async function startServerThread(options: Partial<ReferenceServerOptions>): Promise<ServerThread> {
  const worker = new Worker(new URL('./server-thread-main.mjs', import.meta.url), {
    workerData: { module: new URL('../../dist/server/index.js', import.meta.url).href, options },
  });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
  });
  return {
    url,
    async groundTruth() {
      return (await (await fetch(`${url}/ground-truth`)).json()) as GroundTruthRecord[];
    },
    async clearGroundTruth() {
      await fetch(`${url}/ground-truth`, { method: 'DELETE' });
    },
    lateness() {
      return new Promise((resolve) => {
        const onMessage = (m: { lateness?: ServerLateness }) => {
          if (!m.lateness) return;
          worker.off('message', onMessage);
          resolve(m.lateness);
        };
        worker.on('message', onMessage);
        worker.postMessage('lateness');
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

/**
 * The reference server on its own worker thread of this process, so a client measured against
 * it does not share an event loop with it (calibrate, benchmarks).
 */
import { Worker } from 'node:worker_threads';
import type { ReferenceServerOptions } from '../server/index.js';

export interface ServerThread {
  url: string;
  close(): Promise<void>;
}

export async function startServerThread(options: Partial<ReferenceServerOptions>): Promise<ServerThread> {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './server-thread-main.ts' : './server-thread-main.js', import.meta.url);
  const worker = fromSources
    ? new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href, options } })
    : new Worker(entry, { workerData: { options } });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
  });
  return {
    url,
    async close() {
      const closed = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

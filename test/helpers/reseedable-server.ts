import { Worker } from 'node:worker_threads';
import type { ReferenceServerOptions } from '../../src/server/index.js';

/**
 * The reference server on its own thread (so client and server do not share an event loop),
 * restartable with new options — a new seed, a new TTFT — without paying for a new thread
 * each time. For tests that need many short runs against differently seeded servers.
 */
export interface ReseedableServer {
  /** Closes the current server (if any) and serves with these options; resolves to its URL. */
  restart(options: Partial<ReferenceServerOptions>): Promise<string>;
  close(): Promise<void>;
}

export async function startReseedableServer(): Promise<ReseedableServer> {
  const worker = new Worker(new URL('./reseedable-server-main.mjs', import.meta.url), {
    workerData: { module: new URL('../../dist/server/index.js', import.meta.url).href },
  });
  let failure: Error | undefined;
  worker.on('error', (err) => (failure = err));
  const next = () =>
    new Promise<{ url?: string }>((resolve, reject) => {
      if (failure) reject(failure);
      worker.once('message', resolve);
    });
  await next(); // ready
  return {
    async restart(options) {
      const reply = next();
      worker.postMessage({ options });
      return (await reply).url!;
    },
    async close() {
      const reply = next();
      worker.postMessage({});
      await reply;
      await worker.terminate();
    },
  };
}

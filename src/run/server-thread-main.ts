/** Worker entry of server-thread.ts: serves until the parent says close. */
import { parentPort, workerData } from 'node:worker_threads';
import { serve } from '../server/index.js';

const server = await serve((workerData as { options: Parameters<typeof serve>[0] }).options);
parentPort!.postMessage({ url: server.url });
parentPort!.on('message', async (m: unknown) => {
  if (m === 'close') {
    await server.close();
    parentPort!.postMessage('closed');
  }
});

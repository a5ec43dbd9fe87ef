// Worker entry for server-thread.ts: loads the built server (dist/, built by test/global-setup.ts), then serves.
import { parentPort, workerData } from 'node:worker_threads';

const { serve } = await import(workerData.module);
const server = await serve(workerData.options);
parentPort.postMessage({ url: server.url });
parentPort.on('message', async (m) => {
  if (m === 'close') {
    await server.close();
    parentPort.postMessage('closed');
  }
});

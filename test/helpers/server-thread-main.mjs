// Worker entry for server-thread.ts: registers tsx so the TypeScript sources load, then serves.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serve } = await import(workerData.module);
const server = await serve(workerData.options);
parentPort.postMessage({ url: server.url });
parentPort.on('message', async (m) => {
  if (m === 'close') {
    await server.close();
    parentPort.postMessage('closed');
  }
});

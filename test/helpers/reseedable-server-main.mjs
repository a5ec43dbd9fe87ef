// Worker entry for reseedable-server.ts: one thread that restarts the reference server with new options on request.
import { parentPort, workerData } from 'node:worker_threads';

const { serve } = await import(workerData.module);
let server;
parentPort.on('message', async (m) => {
  if (server) await server.close();
  server = undefined;
  if (m.options) {
    server = await serve(m.options);
    parentPort.postMessage({ url: server.url });
  } else {
    parentPort.postMessage({ closed: true });
  }
});
parentPort.postMessage({ ready: true });

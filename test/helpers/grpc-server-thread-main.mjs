// Worker entry for grpc-server-thread.ts: loads the built server (dist/, built by test/global-setup.ts), then serves gRPC.
import { parentPort, workerData } from 'node:worker_threads';

const { serveGrpc } = await import(workerData.module);
const server = await serveGrpc(workerData.options);
parentPort.postMessage({ url: server.url });
parentPort.on('message', async (m) => {
  if (m === 'truth') parentPort.postMessage({ truth: server.groundTruth.all() });
  else if (m === 'clear') {
    server.groundTruth.clear();
    parentPort.postMessage({ cleared: true });
  } else if (m === 'close') {
    await server.close();
    parentPort.postMessage('closed');
  }
});

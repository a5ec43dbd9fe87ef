import { Worker } from 'node:worker_threads';
import type { GroundTruthRecord } from '../../src/server/ground-truth.js';
import type { GrpcServerOptions } from '../../src/server/grpc/index.js';

/** The reference gRPC server on its own thread (see server-thread.ts for why). */
export interface GrpcServerThread {
  url: string;
  groundTruth(): Promise<GroundTruthRecord[]>;
  clearGroundTruth(): Promise<void>;
  close(): Promise<void>;
}

export async function startGrpcServerThread(options: Partial<GrpcServerOptions>): Promise<GrpcServerThread> {
  const worker = new Worker(new URL('./grpc-server-thread-main.mjs', import.meta.url), {
    workerData: { module: new URL('../../dist/server/grpc/index.js', import.meta.url).href, options },
  });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { url: string }) => resolve(m.url));
    worker.once('error', reject);
  });
  const ask = <T>(message: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (m && typeof m === 'object' && key in m) {
          worker.off('message', on);
          resolve(m[key] as T);
        }
      };
      worker.on('message', on);
      worker.postMessage(message);
    });
  return {
    url,
    groundTruth: () => ask<GroundTruthRecord[]>('truth', 'truth'),
    clearGroundTruth: async () => {
      await ask('clear', 'cleared');
    },
    async close() {
      const closed = new Promise<void>((resolve) => worker.on('message', (m) => m === 'closed' && resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

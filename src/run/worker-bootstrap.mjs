// Worker entry when inferbench runs from its TypeScript sources (tsx, vitest): registers tsx in
// this thread, then loads the real entry. Built output (dist/) starts worker-main.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);

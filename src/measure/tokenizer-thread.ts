/** The tokenizer thread (measure/tokens.ts): counts the answers the main thread posts, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadEncodeCount, type TokenizerEncoding } from './tokens.js';

const count = await loadEncodeCount((workerData as { encoding: TokenizerEncoding }).encoding);
parentPort!.on('message', (m: { id: number; text: string }) => parentPort!.postMessage({ id: m.id, tokens: count(m.text) }));

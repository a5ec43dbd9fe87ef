import { Worker } from 'node:worker_threads';
import { runDueSends } from '../model/send-pump.js';

/**
 * Wakes this thread at a monotonic time with sub-millisecond precision, without spinning its
 * event loop: a small thread sleeps in `Atomics.wait` until the time (a futex wait, µs
 * precision) and then posts one message, which wakes the event loop like any I/O; the wake
 * runs every due open-loop send of the thread (model/send-pump.ts).
 *
 * Measured reason (BENCHMARKS.md, open loop): timers have whole-millisecond granularity and
 * fire up to ~1 ms late, which alone made a large share of sends at 5,000 req/s more than
 * 1 ms late; polling with setImmediate until each send kept the core busy and competed with
 * answer handling. One pacer per thread, started by the first open loop and kept (unref'd).
 */
export class Pacer {
  private readonly worker: Worker;
  /** [0] generation (bumped for each new plan and to stop), [1] stop flag. */
  private readonly control: Int32Array;
  /** [0] epoch ms to wake at; NaN: no wake planned. */
  private readonly wakeAtEpochMs: Float64Array;
  private generation = 0;
  private plannedMs = Infinity;
  private holders = 0;
  /** Resolves once the pacer thread runs; until then, callers wait by other means. */
  online = false;

  constructor() {
    const shared = new SharedArrayBuffer(16);
    this.control = new Int32Array(shared, 0, 2);
    this.wakeAtEpochMs = new Float64Array(shared, 8, 1);
    this.wakeAtEpochMs[0] = NaN;
    this.worker = new Worker(PACER_THREAD, { eval: true, workerData: shared, stdout: false, stderr: false });
    this.worker.on('online', () => (this.online = true));
    this.worker.on('message', (generation: number) => {
      if (generation !== this.generation) return;
      this.plannedMs = Infinity;
      runDueSends();
    });
    this.worker.unref();
  }

  /** Plans a wake at `monotonicMs` of this thread's clock (the earliest planned wake wins). */
  wakeAt(monotonicMs: number): void {
    // A planned wake still ahead and earlier stands; one already past (its sends went out from a read) is replaced.
    if (monotonicMs >= this.plannedMs && this.plannedMs > performance.now()) return;
    this.plannedMs = monotonicMs;
    this.wakeAtEpochMs[0] = performance.timeOrigin + monotonicMs;
    this.bump();
  }

  /** While held, the pacer keeps the process alive (an open loop waiting for its next arrival). */
  hold(): void {
    if (this.holders++ === 0) this.worker.ref();
  }

  release(): void {
    if (--this.holders > 0) return;
    this.plannedMs = Infinity;
    this.wakeAtEpochMs[0] = NaN;
    this.bump();
    this.worker.unref();
  }

  async close(): Promise<void> {
    Atomics.store(this.control, 1, 1);
    this.bump();
    await this.worker.terminate();
  }

  private bump(): void {
    this.generation = (this.generation + 1) | 0;
    Atomics.store(this.control, 0, this.generation);
    Atomics.notify(this.control, 0);
  }
}

let threadPacer: Pacer | undefined;

/** This thread's pacer, started on first use. */
export function pacer(): Pacer {
  return (threadPacer ??= new Pacer());
}

/** The pacer thread: plain JS (eval'd), so it needs no build step or module resolution. */
const PACER_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const control = new Int32Array(workerData, 0, 2);
const wakeAt = new Float64Array(workerData, 8, 1);
for (;;) {
  const generation = Atomics.load(control, 0);
  if (Atomics.load(control, 1) === 1) break;
  const target = wakeAt[0];
  if (target !== target) { Atomics.wait(control, 0, generation); continue; }
  const waitMs = target - (performance.timeOrigin + performance.now());
  if (waitMs > 0.005) { Atomics.wait(control, 0, generation, waitMs); continue; }
  parentPort.postMessage(generation);
  Atomics.wait(control, 0, generation);
}
`;

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
  /** [0] generation (bumped to wake the pacer thread, and to stop), [1] stop flag, [2] wake requests made. */
  private readonly control: Int32Array;
  /** [0] epoch µs to wake at (-1: none); [1] epoch µs the pacer thread sleeps until (FOREVER: until woken). */
  private readonly times: BigInt64Array;
  private generation = 0;
  private plannedMs = Infinity;
  private holders = 0;
  /** Resolves once the pacer thread runs; until then, callers wait by other means. */
  online = false;

  constructor() {
    const shared = new SharedArrayBuffer(32);
    this.control = new Int32Array(shared, 0, 3);
    this.times = new BigInt64Array(shared, 16, 2);
    this.times[0] = -1n;
    this.times[1] = FOREVER;
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
    const us = BigInt(Math.round((performance.timeOrigin + monotonicMs) * 1000));
    Atomics.store(this.times, 0, us);
    Atomics.add(this.control, 2, 1);
    // The pacer thread reads the wake time again whenever its own sleep ends: a wake no earlier
    // than that end needs no notify. Measured reason: a notify is a futex wake and, with the
    // client on one core, two context switches; notifying on every send was 8% of the client's
    // CPU at 5,000 sends/s (bench:open-loop profile).
    if (us < Atomics.load(this.times, 1)) this.bump();
  }

  /** While held, the pacer keeps the process alive (an open loop waiting for its next arrival). */
  hold(): void {
    if (this.holders++ === 0) this.worker.ref();
  }

  release(): void {
    if (--this.holders > 0) return;
    this.plannedMs = Infinity;
    Atomics.store(this.times, 0, -1n);
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

/** The pacer thread's "until woken". */
const FOREVER = 2n ** 62n;

let threadPacer: Pacer | undefined;

/** This thread's pacer, started on first use. */
export function pacer(): Pacer {
  return (threadPacer ??= new Pacer());
}

/**
 * The pacer thread: plain JS (eval'd), so it needs no build step or module resolution. It posts
 * once per wake request; before each sleep it says until when (times[1]) and then reads the
 * request again, so a request made meanwhile is never slept through (the main thread writes the
 * request, then reads the sleep; this thread writes the sleep, then reads the request).
 */
const PACER_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const control = new Int32Array(workerData, 0, 3);
const times = new BigInt64Array(workerData, 16, 2);
const FOREVER = ${FOREVER}n;
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;
let postedRequest = -1;
for (;;) {
  const generation = Atomics.load(control, 0);
  if (Atomics.load(control, 1) === 1) break;
  const request = Atomics.load(control, 2);
  const target = Atomics.load(times, 0);
  if (target < 0n || request === postedRequest) {
    Atomics.store(times, 1, FOREVER);
    if (Atomics.load(control, 2) !== request || Atomics.load(times, 0) !== target) continue;
    Atomics.wait(control, 0, generation);
    continue;
  }
  const waitUs = Number(target) - nowUs();
  if (waitUs > 5) {
    Atomics.store(times, 1, target);
    if (Atomics.load(control, 2) !== request || Atomics.load(times, 0) !== target) continue;
    Atomics.wait(control, 0, generation, waitUs / 1000);
    continue;
  }
  postedRequest = request;
  parentPort.postMessage(generation);
}
`;

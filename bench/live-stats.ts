/**
 * `npm run bench:live`: what the live view and the exports cost per finished request, against
 * the recorder's own per-request work (both derive the same metrics from each Timeline).
 * 100,000 synthetic streamed requests (test/results/timelines.ts), each fed to a Recorder and
 * to a LiveStats; rounds alternate, the median is reported.
 */
import { performance } from 'node:perf_hooks';
import { LiveStats } from '../src/live/live-stats.js';
import { Recorder } from '../src/measure/recorder.js';
import { liveKeyMetrics } from '../src/report/live-view.js';
import { makeTimelines } from '../test/results/timelines.js';

const N = 100_000;
const ROUNDS = 5;
const family = { family: 'text', streamed: true } as const;
const timelines = makeTimelines(N, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const recorderNs: number[] = [];
const liveNs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const recorder = new Recorder({ family, phaseStartMs: 0, openLoop: true });
  let t0 = performance.now();
  for (const t of timelines) recorder.record(t);
  recorderNs.push(((performance.now() - t0) * 1e6) / N);
  const stats = new LiveStats({ family, keyMetrics: liveKeyMetrics(family), openLoop: true });
  t0 = performance.now();
  for (const t of timelines) stats.onRequest(t, 'measure', 'p');
  stats.closedSeconds(true);
  liveNs.push(((performance.now() - t0) * 1e6) / N);
}
const r = median(recorderNs);
const l = median(liveNs);
console.log(`per request: recorder ${(r / 1000).toFixed(2)} µs, live stats ${(l / 1000).toFixed(2)} µs (${(l / r).toFixed(2)}× the recorder), ${ROUNDS} rounds of ${N}`);

/**
 * `inferbench calibrate`: what one client thread of this machine can generate against the
 * reference server running on another thread (unary req/s, SSE content events/s, open-loop
 * send timing), saved so `run` can warn cheaply when a scenario asks for more.
 */
import { writeRedactedFile } from '../results/redacting-sinks.js';
import { run } from './runner.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { calibrationFile, SAFE_SHARE, type ClientCapacity } from './client-capacity.js';
import { startServerThread } from './server-thread.js';

export interface Calibration extends ClientCapacity {
  durationMs: number;
  host: { cpus: number; node: string };
  /** Open-loop rate used for the timing check (half the unary capacity). */
  openLoopRate: number;
  openLoopLateSendShare: number;
  /** Loads above which results would be client-bound, per thread. */
  clientBoundAbove: { unaryRequestsPerSecond: number; sseEventsPerSecond: number };
}

const STREAM_TOKENS = 256;

/** Stopped by Ctrl+C: what was measured before, never saved (a partial calibration would mislead `run`). */
export class CalibrationInterruptedError extends Error {
  constructor(readonly measured: string[]) {
    super(`calibration stopped${measured.length ? ` after: ${measured.join('; ')}` : ' before the first measurement ended'}`);
    this.name = 'CalibrationInterruptedError';
  }
}

export async function calibrate(options: { durationMs?: number; onStep?: (text: string) => void; signal?: AbortSignal } = {}): Promise<Calibration> {
  const durationMs = options.durationMs ?? 5000;
  const step = options.onStep ?? (() => undefined);
  const measured: string[] = [];
  const stopIfAsked = () => {
    if (options.signal?.aborted) throw new CalibrationInterruptedError(measured);
  };
  const server = await startServerThread({ ttftMs: '0ms', itlMs: '0ms', outputTokens: STREAM_TOKENS, echoDelayMs: '0ms', seed: 1 });
  try {
    const measure = async (input: Omit<ScenarioInput, 'output' | 'name'>) => {
      stopIfAsked();
      const { results } = await run({ name: 'calibrate', output: { write: false }, ...input } as ScenarioInput, { workers: 1, signal: options.signal });
      stopIfAsked();
      return results.points[0]!.measure;
    };
    const duration = `${durationMs}ms`;
    step('unary requests/s (GET /echo, 50 concurrent)');
    const unary = await measure({ target: { protocol: 'http', url: `${server.url}/echo`, method: 'GET' }, load: { mode: 'concurrency', concurrency: 50, duration }, phases: { warmup: { requests: 500 } } } as never);
    const unaryRequestsPerSecond = unary.counts.ok / (unary.durationMs / 1000);
    measured.push(`unary ${Math.round(unaryRequestsPerSecond)} req/s`);

    step(`SSE content events/s (${STREAM_TOKENS}-token streams, 64 concurrent)`);
    const sse = await measure({
      target: { protocol: 'openai', url: `${server.url}/v1/chat/completions`, max_tokens: STREAM_TOKENS },
      load: { mode: 'concurrency', concurrency: 64, duration },
      phases: { warmup: { requests: 64 } },
    } as never);
    const sseEventsPerSecond = (sse.tokens?.eventsTotal ?? sse.tokens?.totalOutputTokens ?? 0) / (sse.durationMs / 1000);
    measured.push(`SSE ${Math.round(sseEventsPerSecond)} content events/s`);

    const openLoopRate = Math.max(1, Math.round(unaryRequestsPerSecond * SAFE_SHARE));
    step(`open-loop send timing at ${openLoopRate} req/s Poisson`);
    const open = await measure({
      target: { protocol: 'http', url: `${server.url}/echo`, method: 'GET' },
      load: { mode: 'rate', rate: openLoopRate, arrival: 'poisson', duration, seed: 1 },
      phases: { warmup: { requests: 200 } },
    } as never);
    const late = open.metrics.queue_delay?.summary;
    return {
      source: 'calibrated',
      measuredAt: new Date().toISOString(),
      durationMs,
      host: { cpus: (await import('node:os')).availableParallelism(), node: process.version },
      unaryRequestsPerSecond,
      sseEventsPerSecond,
      openLoopRate,
      openLoopLateMs: { p50: late?.p50 ?? 0, p99: late?.p99 ?? 0 },
      openLoopLateSendShare: open.clientHealth.lateSendShare,
      clientBoundAbove: { unaryRequestsPerSecond: unaryRequestsPerSecond * SAFE_SHARE, sseEventsPerSecond: sseEventsPerSecond * SAFE_SHARE },
    };
  } finally {
    await server.close();
  }
}

export async function saveCalibration(c: Calibration, path = calibrationFile()): Promise<string> {
  await writeRedactedFile(path, `${JSON.stringify(c, null, 2)}\n`);
  return path;
}

export function formatCalibration(c: Calibration): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `client capacity of one thread (${c.host.cpus} cores, Node ${c.host.node}; ${c.durationMs / 1000} s per measurement)`,
    `  unary            ${n(c.unaryRequestsPerSecond)} req/s`,
    `  SSE              ${n(c.sseEventsPerSecond)} content events/s`,
    `  open loop        ${c.openLoopRate} req/s: sends late by p50 ${c.openLoopLateMs!.p50.toFixed(3)} ms, p99 ${c.openLoopLateMs!.p99.toFixed(3)} ms; ${(c.openLoopLateSendShare * 100).toFixed(2)}% later than 1 ms`,
    `results would be client-bound above, per worker thread:`,
    `  ${n(c.clientBoundAbove.unaryRequestsPerSecond)} req/s unary, ${n(c.clientBoundAbove.sseEventsPerSecond)} streamed events/s`,
    `  (use --workers N for up to N× that on N cores, or --segment i/n across machines)`,
  ].join('\n');
}

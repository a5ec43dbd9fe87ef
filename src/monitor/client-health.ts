import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What the client looked like while it generated load (DESIGN: the client must never be the bottleneck silently). */
export interface ClientHealthSample {
  eventLoopDelayMs: { mean: number; p99: number; max: number };
  /** Process CPU time (user + system) over wall time, in percent of one core (can exceed 100 with worker threads). */
  cpuPercent: number;
}

export interface ClientHealthMonitor {
  /** Stops sampling and returns what was seen since start. Call once. */
  stop(): ClientHealthSample;
}

/** Starts watching event-loop delay and process CPU use; cheap enough to run for every phase. */
export function startClientHealth(resolutionMs = 10): ClientHealthMonitor {
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const cpuStart = process.cpuUsage();
  const wallStartMs = performance.now();
  return {
    stop() {
      delay.disable();
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = performance.now() - wallStartMs;
      const nsToMs = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
      const sampled = delay.count > 0;
      return {
        eventLoopDelayMs: {
          mean: sampled ? nsToMs(delay.mean) : 0,
          p99: sampled ? nsToMs(delay.percentile(99)) : 0,
          max: sampled ? nsToMs(delay.max) : 0,
        },
        cpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
      };
    },
  };
}

/** Limits beyond which the client, not the server, is likely what was measured. */
export const CLIENT_HEALTH_LIMITS = {
  eventLoopP99Ms: 20,
  cpuPercent: 90,
  /** perf_analyzer's rule: more than 1% of sends late by more than 1 ms. */
  lateSendShare: 0.01,
  lateSendMs: 1,
} as const;

export interface ClientHealthAssessment {
  clientBound: boolean;
  warnings: string[];
}

/** Turns a health sample and the late-send share into a verdict and warnings a user can act on. */
export function assessClientHealth(input: {
  eventLoopDelay: ClientHealthSample['eventLoopDelayMs'];
  cpuPercent: number;
  lateSendShare: number;
}): ClientHealthAssessment {
  const L = CLIENT_HEALTH_LIMITS;
  const warnings: string[] = [];
  if (input.eventLoopDelay.p99 > L.eventLoopP99Ms)
    warnings.push(
      `client event loop p99 delay was ${input.eventLoopDelay.p99.toFixed(1)} ms (> ${L.eventLoopP99Ms} ms): timings include client stalls; use more workers or less load per process`,
    );
  if (input.cpuPercent > L.cpuPercent)
    warnings.push(
      `client CPU use was ${input.cpuPercent.toFixed(0)}% of one core (> ${L.cpuPercent}%): the load generator may be the bottleneck; use more workers`,
    );
  if (input.lateSendShare > L.lateSendShare)
    warnings.push(
      `${(input.lateSendShare * 100).toFixed(1)}% of requests left more than ${L.lateSendMs} ms after their intended start (> ${L.lateSendShare * 100}%): the client fell behind the schedule`,
    );
  return { clientBound: warnings.length > 0, warnings };
}

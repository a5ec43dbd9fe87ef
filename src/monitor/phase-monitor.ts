import type { PhaseResult } from '../model/results.js';
import type { Scenario } from '../scenario/schema.js';
import { startGpuSampler } from './gpu.js';
import { startServerMetrics } from './server-metrics.js';

/**
 * Something watched for the span of one phase (GPU, the server's own metrics). It starts
 * with the phase and, when the phase ends, adds its findings to the phase result; what it
 * returns are notes for the run's warnings (e.g. "no nvidia-smi"), never failures.
 */
export interface PhaseMonitor {
  /** Resolves when the monitor has its starting reading; the phase's load waits for it. */
  ready?: Promise<unknown>;
  stop(result: PhaseResult): Promise<string[] | void>;
}

export type PhaseMonitorFactory = (ctx: { phase: 'warmup' | 'measure'; pointLabel: string }) => PhaseMonitor;

/** The monitors a scenario asks for (`monitor.gpu`, `monitor.server_metrics`), measure phases only. */
export function scenarioMonitors(scenario: Scenario): PhaseMonitorFactory[] {
  const out: PhaseMonitorFactory[] = [];
  const notesSeen = new Set<string>();
  // A missing nvidia-smi would say so once per load point; once per run is enough.
  const once = (note: string | undefined) => (note && !notesSeen.has(note) ? (notesSeen.add(note), [note]) : []);
  const gpu = scenario.monitor?.gpu;
  if (gpu) {
    out.push(({ phase }) => {
      if (phase !== 'measure') return { stop: async () => undefined };
      const sampler = startGpuSampler({ intervalMs: gpu.interval, command: gpu.command });
      return {
        async stop(result) {
          const { stats, note } = await sampler.stop();
          if (stats) result.gpu = stats;
          return once(note);
        },
      };
    });
  }
  const sm = scenario.monitor?.server_metrics;
  if (sm) {
    out.push(({ phase }) => {
      if (phase !== 'measure') return { stop: async () => undefined };
      const scraper = startServerMetrics({ url: sm.url, metrics: sm.metrics, intervalMs: sm.interval });
      return {
        ready: scraper.ready,
        async stop(result) {
          const { stats, note } = await scraper.stop();
          if (stats) result.serverMetrics = stats;
          return once(note);
        },
      };
    });
  }
  return out;
}

/** Starts every monitor for a phase; `stop` attaches their findings and collects their notes. */
export async function startPhaseMonitors(factories: PhaseMonitorFactory[] | undefined, ctx: { phase: 'warmup' | 'measure'; pointLabel: string }) {
  const monitors = (factories ?? []).map((f) => f(ctx));
  await Promise.all(monitors.map((m) => m.ready));
  return {
    async stop(result: PhaseResult): Promise<string[]> {
      const notes = await Promise.all(monitors.map((m) => m.stop(result)));
      return notes.flatMap((n) => n ?? []);
    },
  };
}

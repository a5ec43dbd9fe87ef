import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { ClientHealth, ClientHealthCause, MachineLoad, PhaseResult } from '../model/results.js';

/**
 * Was the client, rather than the server, what a run measured? (DESIGN: the client must never
 * be the bottleneck silently.) A sample per phase and thread: event-loop delay, this thread's
 * busy share, the process's CPU, and how busy the machine was with other processes. One
 * function, {@link judgeClientHealth}, turns the evidence into the verdict and the advice.
 */
export interface ClientHealthSample {
  /** Timer lateness beyond the sampling interval (0 when the loop was never held up). */
  eventLoopDelayMs: { mean: number; p99: number; max: number };
  /** This process's CPU time (user + system, every thread) over wall time, in percent of one core. */
  cpuPercent: number;
  /** This thread's event-loop utilization: the share of wall time it was not idle waiting for I/O (0..1). */
  threadBusyShare: number;
  /** The machine over the same span (Linux /proc/stat; load average and cores everywhere). */
  machine?: MachineLoad;
}

export interface ClientHealthMonitor {
  /** Stops sampling and returns what was seen since start. Call once. */
  stop(): ClientHealthSample;
}

interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

/** The machine-wide CPU counters of /proc/stat's first line; undefined off Linux. */
function readCpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
  } catch {
    return undefined;
  }
}

/** Starts watching event-loop delay, this thread's busy share, process CPU and the machine; cheap enough for every phase. */
export function startClientHealth(resolutionMs = 10): ClientHealthMonitor {
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const cpuStart = process.cpuUsage();
  const eluStart = performance.eventLoopUtilization();
  const machineStart = readCpuTimes();
  const wallStartMs = performance.now();
  return {
    stop() {
      delay.disable();
      const cpu = process.cpuUsage(cpuStart);
      const elu = performance.eventLoopUtilization(eluStart);
      const machineEnd = readCpuTimes();
      const wallMs = performance.now() - wallStartMs;
      // The histogram records each timer's whole interval; what matters is the lateness beyond it.
      const late = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
      const sampled = delay.count > 0;
      // The machine's own cores (/proc/stat and the load average count all of them, whatever this process may use).
      const machine: MachineLoad = { cores: cpus().length || availableParallelism(), loadAverage1m: loadavg()[0] ?? 0 };
      if (machineStart && machineEnd && machineEnd.total > machineStart.total) {
        const total = machineEnd.total - machineStart.total;
        const share = (x: number) => Math.min(1, Math.max(0, x / total));
        machine.busyShare = 1 - share(machineEnd.idle - machineStart.idle);
        machine.stealShare = share(machineEnd.steal - machineStart.steal);
      }
      return {
        eventLoopDelayMs: { mean: sampled ? late(delay.mean) : 0, p99: sampled ? late(delay.percentile(99)) : 0, max: sampled ? late(delay.max) : 0 },
        cpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
        threadBusyShare: Math.min(1, Math.max(0, elu.utilization)),
        machine,
      };
    },
  };
}

/** Where the verdict draws its lines (each rule says why in judgeClientHealth). */
export const CLIENT_HEALTH_LIMITS = {
  /** A thread busy this share of the time had no slack: it set the pace. */
  threadBusyShare: 0.9,
  /** Event-loop delay counts as the client's own doing only when its thread was at least this busy. */
  ownWorkBusyShare: 0.5,
  /** Event-loop delay p99 that distorts timings: this share of the median latency, and at least `stallFloorMs`. */
  stallShareOfLatency: 0.25,
  stallFloorMs: 5,
  /** perf_analyzer's rule: more than 1% of sends late (here: by more than one inter-arrival gap, and at least 1 ms). */
  lateSendShare: 0.01,
  lateSendMs: 1,
  /** The machine counts as busy when other processes used this share of all cores, or steal reached `stealShare`. */
  othersBusyShare: 0.5,
  stealShare: 0.05,
} as const;

/** What one phase's verdict is judged on: the (worst thread's) sample and what the run measured. */
export interface ClientHealthEvidence {
  sample: ClientHealthSample;
  /** Threads that generated the load (the sample's busy share and delay are the busiest one's). */
  threads: number;
  openLoop: boolean;
  /** Share of open-loop sends later than `lateSendThresholdMs`. */
  lateSendShare: number;
  lateSendThresholdMs: number;
  /** The phase's median latency of ok requests, when any succeeded. */
  latencyP50Ms?: number;
}

export interface ClientHealthVerdict {
  health: ClientHealth;
  /** One line per finding, with advice that fits its cause. */
  warnings: string[];
}

const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;

/**
 * The one verdict on a phase's client health. "client-bound" only when this process was the
 * limit: a load thread busy nearly all the time, or event-loop delay large against the latencies
 * it measured while its own work kept it busy, or open-loop sends late by more than the gap
 * between arrivals. A machine busy with other processes (steal, other processes' CPU, load
 * average above the cores) gets its own warning instead: it is not this process's limit, and
 * more workers would not help.
 */
export function judgeClientHealth(e: ClientHealthEvidence): ClientHealthVerdict {
  const L = CLIENT_HEALTH_LIMITS;
  const s = e.sample;
  const m = s.machine;
  const warnings: string[] = [];
  const busy = s.threadBusyShare;
  const ownCpuCores = s.cpuPercent / 100;
  const othersShare = m?.busyShare !== undefined ? Math.max(0, m.busyShare - ownCpuCores / m.cores) : undefined;
  const othersRunnable = m ? Math.max(0, m.loadAverage1m - ownCpuCores) : 0;
  const machineBusy = m !== undefined && ((m.stealShare ?? 0) >= L.stealShare || (othersShare ?? 0) >= L.othersBusyShare || othersRunnable >= m.cores);

  const stallLimitMs = Math.max(L.stallFloorMs, (e.latencyP50Ms ?? 0) * L.stallShareOfLatency);
  const stalled = s.eventLoopDelayMs.p99 >= stallLimitMs;
  const late = e.openLoop && e.lateSendShare > L.lateSendShare;
  const saturated = busy >= L.threadBusyShare;
  // Delay and lateness while the thread was mostly idle come from waiting for a CPU (other
  // processes, the OS), not from this process's own work: that is the machine's doing.
  const ownWork = busy >= L.ownWorkBusyShare;
  const causes: ClientHealthCause[] = [];
  const thread = e.threads > 1 ? 'the busiest client thread' : 'the client thread';
  const against = e.latencyP50Ms !== undefined ? ` against a median latency of ${e.latencyP50Ms.toFixed(1)} ms` : '';
  const lateMs = e.lateSendThresholdMs.toFixed(e.lateSendThresholdMs < 10 ? 1 : 0);

  // Client-bound: what shows this process was the limit, then one piece of advice for its cause.
  const symptoms: string[] = [];
  if (saturated) {
    causes.push('client-cpu');
    symptoms.push(`${thread} was busy ${pct(busy)} of the time`);
  }
  if (stalled && ownWork) {
    causes.push('event-loop-stalls');
    symptoms.push(`the client's event loop was held up ${s.eventLoopDelayMs.p99.toFixed(1)} ms (p99)${against} while ${thread} was busy ${pct(busy)} of the time`);
  }
  if (late && ownWork) {
    causes.push('late-sends');
    symptoms.push(`${pct(e.lateSendShare)} of requests left more than ${lateMs} ms (one gap between arrivals, at least 1 ms) after their intended start`);
  }
  // A thread with work to do that got much less than a core of CPU was starved by other processes.
  const starved = symptoms.length > 0 && machineBusy && s.cpuPercent < busy * 100 * e.threads * 0.6;
  if (starved) {
    causes.unshift('client-starved');
    symptoms.push(
      `the process got only ${s.cpuPercent.toFixed(0)}% of a core: other processes competed for its CPU (${machineWords(m!, othersShare)}); ` +
        'give the client cores of its own (an idle machine, or taskset to free cores); more workers on the same busy cores will not help',
    );
  } else if (symptoms.length) {
    const cores = availableParallelism();
    symptoms.push(`the client, not the server, set the pace; split the load with --workers (${cores} core${cores === 1 ? '' : 's'} available to this process) or --segment across machines, or lower the load`);
  }
  if (symptoms.length) warnings.push(`client-bound: ${symptoms.join('; ')}`);

  // Not this process's limit: the machine was busy, or it held up an idle client.
  const waited = !ownWork && (stalled || late);
  if (machineBusy || waited) {
    causes.push('machine-busy');
    const effects: string[] = [];
    if (stalled) effects.push(`timers ran ${s.eventLoopDelayMs.p99.toFixed(1)} ms late (p99)${against}`);
    if (late) effects.push(`${pct(e.lateSendShare)} of sends left more than ${lateMs} ms late`);
    const effect = waited ? `; this process waited for a CPU (${effects.join(', ')}) while ${thread} was busy only ${pct(busy)} of the time, so the timings include that wait` : '';
    const head = machineBusy ? `the machine was busy: ${machineWords(m!, othersShare)}, while this client used ${s.cpuPercent.toFixed(0)}% of one core` : `the machine delayed this client${m ? ` (${machineWords(m, othersShare)})` : ''}`;
    if (!starved) warnings.push(`${head}${effect}. If the server runs here, it competed for the CPU too; run on a quieter machine for trustworthy numbers`);
  }
  const health: ClientHealth = {
    eventLoopDelayMs: { ...s.eventLoopDelayMs },
    cpuPercent: s.cpuPercent,
    lateSendShare: e.lateSendShare,
    clientBound: causes.some((c) => c !== 'machine-busy'),
    threadBusyShare: busy,
    lateSendThresholdMs: e.lateSendThresholdMs,
    machineBusy,
    causes,
  };
  if (m) health.machine = { ...m };
  return { health, warnings };
}

function machineWords(m: MachineLoad, othersShare: number | undefined): string {
  const parts = [`load average ${m.loadAverage1m.toFixed(1)} on ${m.cores} core${m.cores === 1 ? '' : 's'}`];
  if (othersShare !== undefined) parts.push(`other processes used ${(othersShare * m.cores * 100).toFixed(0)}% of CPU`);
  if (m.stealShare) parts.push(`steal ${pct(m.stealShare)}`);
  return parts.join(', ');
}

/** The inter-arrival gap beyond which an open-loop send counts as late (and at least 1 ms). */
export function lateSendThresholdMs(ratePerSecond: number | undefined): number {
  return ratePerSecond && ratePerSecond > 0 ? Math.max(CLIENT_HEALTH_LIMITS.lateSendMs, 1000 / ratePerSecond) : CLIENT_HEALTH_LIMITS.lateSendMs;
}

/**
 * Judges a finished phase from the figures its recorder (or the merge of its threads' parts)
 * stored, sets its verdict, and returns the warnings. Called once per phase, where the phase's
 * final result is made: on the thread that ran it, or after merging worker threads' parts.
 */
export function judgePhaseHealth(result: PhaseResult, ctx: { threads: number; openLoop: boolean }): string[] {
  const h = result.clientHealth;
  const verdict = judgeClientHealth({
    sample: { eventLoopDelayMs: h.eventLoopDelayMs, cpuPercent: h.cpuPercent, threadBusyShare: h.threadBusyShare ?? 0, machine: h.machine },
    threads: ctx.threads,
    openLoop: ctx.openLoop,
    lateSendShare: h.lateSendShare,
    lateSendThresholdMs: h.lateSendThresholdMs ?? CLIENT_HEALTH_LIMITS.lateSendMs,
    latencyP50Ms: result.metrics.latency?.summary.count ? result.metrics.latency.summary.p50 : undefined,
  });
  result.clientHealth = verdict.health;
  return verdict.warnings;
}

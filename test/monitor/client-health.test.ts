import { setImmediate as nextTurn, setTimeout as timerTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { judgeClientHealth, startClientHealth, type ClientHealthEvidence } from '../../src/monitor/client-health.js';

const idleMachine = { cores: 8, loadAverage1m: 0.3, busyShare: 0.05, stealShare: 0 };
const busyMachine = { cores: 2, loadAverage1m: 7.9, busyShare: 0.97, stealShare: 0 };
const evidence = (over: Partial<ClientHealthEvidence['sample']> = {}, rest: Partial<ClientHealthEvidence> = {}): ClientHealthEvidence => ({
  sample: { eventLoopDelayMs: { mean: 0.1, p99: 0.8, max: 3 }, cpuPercent: 9, threadBusyShare: 0.05, machine: idleMachine, ...over },
  threads: 1,
  openLoop: true,
  lateSendShare: 0,
  lateSendThresholdMs: 500,
  latencyP50Ms: 40,
  ...rest,
});

describe('startClientHealth', () => {
  it('sees a blocked event loop, the CPU it burned, the thread busy, and the machine', async () => {
    const monitor = startClientHealth(1);
    await timerTurn(2); // one timer turn arms the sampler

    const until = performance.now() + 60;
    while (performance.now() < until); // block the loop on purpose
    for (let i = 0; i < 5; i++) await nextTurn();
    const h = monitor.stop();
    // Lateness beyond the 1 ms interval: the 60 ms block shows (less the interval).
    expect(h.eventLoopDelayMs.max).toBeGreaterThan(40);
    expect(h.eventLoopDelayMs.mean).toBeGreaterThan(0);
    expect(h.cpuPercent).toBeGreaterThan(20);
    expect(h.threadBusyShare).toBeGreaterThan(0.5);
    expect(h.machine!.cores).toBeGreaterThan(0);
    expect(h.machine!.busyShare).toBeGreaterThanOrEqual(0);
  });
});

describe('judgeClientHealth: one verdict, advice that fits the cause', () => {
  it('a light run is healthy, whatever its CPU figure (2 req/s at 8.7% CPU)', () => {
    const v = judgeClientHealth(evidence({ cpuPercent: 8.7 }));
    expect(v.health.clientBound).toBe(false);
    expect(v.warnings).toEqual([]);
  });

  it('a load thread with no slack is client-bound, with "--workers" advice', () => {
    const v = judgeClientHealth(evidence({ threadBusyShare: 0.97, cpuPercent: 96 }));
    expect(v.health).toMatchObject({ clientBound: true, causes: ['client-cpu'] });
    expect(v.warnings).toEqual([expect.stringMatching(/^client-bound: the client thread was busy 97% of the time; the client, not the server, set the pace; split the load with --workers/)]);
  });

  it('a busy thread starved of CPU by its neighbours is client-bound, and says more workers will not help', () => {
    const v = judgeClientHealth(evidence({ threadBusyShare: 0.99, cpuPercent: 48, machine: busyMachine }));
    expect(v.health.clientBound).toBe(true);
    expect(v.health.causes).toEqual(['client-starved', 'client-cpu', 'machine-busy']);
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toMatch(/^client-bound: the client thread was busy 99% of the time; the process got only 48% of a core: other processes competed for its CPU \(load average 7\.9 on 2 cores.*more workers on the same busy cores will not help$/);
    expect(v.warnings[0]).not.toContain('--workers');
  });

  it('event-loop delay is judged against the latencies measured, and only when the thread was busy', () => {
    const busy = { threadBusyShare: 0.6, cpuPercent: 60 };
    expect(judgeClientHealth(evidence({ ...busy, eventLoopDelayMs: { mean: 2, p99: 15, max: 30 } })).health.clientBound).toBe(true);
    // The same delay against a 2 s median latency distorts nothing.
    expect(judgeClientHealth(evidence({ ...busy, eventLoopDelayMs: { mean: 2, p99: 15, max: 30 } }, { latencyP50Ms: 2000 })).health.clientBound).toBe(false);
  });

  it('late sends count only when later than the gap between arrivals', () => {
    const busy = { threadBusyShare: 0.6, cpuPercent: 60 };
    const late = judgeClientHealth(evidence(busy, { lateSendShare: 0.05, lateSendThresholdMs: 2 }));
    expect(late.health).toMatchObject({ clientBound: true, causes: ['late-sends'] });
    expect(late.warnings[0]).toMatch(/5\.0% of requests left more than 2\.0 ms \(one gap between arrivals, at least 1 ms\)/);
    expect(judgeClientHealth(evidence(busy, { lateSendShare: 0.05, openLoop: false })).health.clientBound).toBe(false);
  });

  it('a machine busy with other processes gets its own plain warning, not "client-bound" nor "use more workers"', () => {
    const v = judgeClientHealth(evidence({ cpuPercent: 6, machine: busyMachine, eventLoopDelayMs: { mean: 8, p99: 61, max: 220 } }, { latencyP50Ms: 5, lateSendShare: 0.02 }));
    expect(v.health).toMatchObject({ clientBound: false, machineBusy: true, causes: ['machine-busy'] });
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toMatch(/^the machine was busy: load average 7\.9 on 2 cores, other processes used 188% of CPU, while this client used 6% of one core; this process waited for a CPU/);
    expect(v.warnings[0]).not.toMatch(/client-bound|--workers/);
  });

  it('delays with an idle thread on a machine that looks quiet are still not blamed on the client', () => {
    const v = judgeClientHealth(evidence({ eventLoopDelayMs: { mean: 3, p99: 30, max: 90 } }, { latencyP50Ms: 5 }));
    expect(v.health.clientBound).toBe(false);
    expect(v.warnings[0]).toMatch(/^the machine delayed this client/);
  });
});

import { setImmediate as nextTurn, setTimeout as timerTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { assessClientHealth, startClientHealth } from '../../src/monitor/client-health.js';

const healthy = { eventLoopDelay: { mean: 0.2, p99: 1, max: 5 }, cpuPercent: 30, lateSendShare: 0 };

describe('startClientHealth', () => {
  it('sees a blocked event loop and the CPU it burned', async () => {
    const monitor = startClientHealth(1);
    await timerTurn(2); // one timer turn arms the sampler

    const until = performance.now() + 60;
    while (performance.now() < until); // block the loop on purpose
    for (let i = 0; i < 5; i++) await nextTurn();
    const h = monitor.stop();
    expect(h.eventLoopDelayMs.max).toBeGreaterThan(40);
    expect(h.eventLoopDelayMs.mean).toBeGreaterThan(0);
    expect(h.cpuPercent).toBeGreaterThan(20);
  });
});

describe('assessClientHealth', () => {
  it('passes a healthy client', () => {
    expect(assessClientHealth(healthy)).toEqual({ clientBound: false, warnings: [] });
  });

  it('flags event-loop stalls, a saturated CPU and late sends, each with a warning', () => {
    expect(assessClientHealth({ ...healthy, eventLoopDelay: { mean: 5, p99: 25, max: 80 } }).warnings[0]).toMatch(/event loop p99 delay was 25\.0 ms/);
    expect(assessClientHealth({ ...healthy, cpuPercent: 97 }).warnings[0]).toMatch(/CPU use was 97%/);
    const late = assessClientHealth({ ...healthy, lateSendShare: 0.02 });
    expect(late.clientBound).toBe(true);
    expect(late.warnings[0]).toMatch(/2\.0% of requests left more than 1 ms after their intended start/);
    expect(assessClientHealth({ ...healthy, lateSendShare: 0.01 }).clientBound).toBe(false);
  });
});

import type { ClientHealthSample } from '../../src/monitor/client-health.js';
import { Recorder } from '../../src/measure/recorder.js';
import type { Results } from '../../src/model/results.js';
import { makeTimelines } from './timelines.js';

/** A whole Results value whose measured phase a real Recorder built (`seed` draws the timings of its `requests`). */
export function recordedResults(seed = 7, requests = 400): Results {
  const recorder = new Recorder({ family: { family: 'text', streamed: true }, phaseStartMs: 0, openLoop: true, tokenizer: (text) => text.split(' ').length });
  for (const t of makeTimelines(requests, 0, seed)) {
    recorder.noteSent(t.sentMs);
    recorder.noteInFlight(3, t.sentMs);
    if (t.index % 40 === 0) t.extra.submit = 4.5;
    recorder.record(t);
  }
  recorder.noteDropped();
  const health: ClientHealthSample = { eventLoopDelayMs: { mean: 0.5, p99: 1.2, max: 4 }, cpuPercent: 35, threadBusyShare: 0.3 };
  const startedAt = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
  return {
    schemaVersion: 2,
    tool: { name: 'inferbench', version: '0.1.0' },
    name: 'chat',
    startedAt: startedAt.toISOString(),
    startedAtEpochMs: startedAt.getTime(),
    endedAt: new Date(startedAt.getTime() + 10_000).toISOString(),
    commandLine: ['inferbench', 'run', 'chat.yaml'],
    host: { hostname: 'bench', platform: 'linux', arch: 'x64', cpus: 16, cpuModel: 'test cpu', node: process.version },
    scenario: { target: { protocol: 'openai', headers: { authorization: '[redacted]' } } },
    interrupted: false,
    warnings: [],
    points: [
      {
        label: 'rate=40/s constant',
        load: { rate: 40 },
        warmup: { sent: 10, ok: 10, failed: 0, durationMs: 250 },
        measure: recorder.toPhaseResult(health),
      },
    ],
  };
}

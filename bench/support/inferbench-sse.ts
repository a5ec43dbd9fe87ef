/**
 * inferbench's OpenAI streaming client on N concurrent streams for D seconds, one thread (or W
 * workers): `tsx bench/support/inferbench-sse.ts URL STREAMS DURATION_S [WORKERS]` → JSON with
 * content events parsed and timestamped per second.
 */
import { run } from '../../src/index.js';

const [url, streams, durationS, workers] = process.argv.slice(2);
const { results } = await run(
  {
    name: 'sse-throughput',
    target: { protocol: 'openai', url: url!, max_tokens: 100_000 },
    load: { mode: 'concurrency', concurrency: Number(streams), duration: `${durationS}s` },
    output: { write: false },
  },
  { workers: workers ? Number(workers) : 1 },
);
const m = results.points[0]!.measure;
const events = m.tokens?.eventsTotal ?? m.metrics.itl!.summary.count + m.counts.ok;
process.stdout.write(
  JSON.stringify({ eventsPerSecond: events / (m.durationMs / 1000), answers: m.counts.ok, failed: m.counts.failed, events, cpuPercent: m.clientHealth.cpuPercent, workers: results.workers ?? 1 }) + '\n',
);

/**
 * Memory over a long run: RSS of the client process while it sends N unary requests
 * (default 1,000,000) at concurrency 50 to nginx (or the reference server's GET /echo),
 * sampled every second; reports RSS after the first 5% of requests and at the end.
 *
 *   npm run bench:memory -- [--requests 1000000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLoad, pinnedTo, runToEnd, startNginx, startReferenceServer } from './support/processes.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000000' }, child: { type: 'string' } } });
const requests = Number(values.requests);

if (values.child) {
  const { run } = await import('../src/run/runner.js');
  const mb = () => process.memoryUsage().rss / 2 ** 20;
  let baseline: number | undefined;
  let peak = 0;
  const samples: number[] = [];
  const { results } = await run(
    { name: 'memory', target: { protocol: 'http', url: values.child, method: 'GET' }, load: { concurrency: 50, requests }, output: { write: false } },
    {
      onProgress: (p) => {
        if (p.phase !== 'measure') return;
        const rss = mb();
        peak = Math.max(peak, rss);
        if (baseline === undefined && p.done >= requests * 0.05) baseline = rss;
        samples.push(rss);
      },
    },
  );
  const m = results.points[0]!.measure;
  process.stdout.write(JSON.stringify({ baseline, end: mb(), peak, ok: m.counts.ok, failed: m.counts.failed, seconds: m.durationMs / 1000 }) + '\n');
  process.exit(0);
}

const server = (await startNginx(1, mkdtempSync(join(tmpdir(), 'inferbench-nginx-')))) ?? (await startReferenceServer(1));
const loadBefore = await machineLoad();
try {
  const out = await runToEnd([...pinnedTo(0), process.execPath, '--import', 'tsx', 'bench/memory.ts', '--requests', String(requests), '--child', `${server.url}/echo`]);
  const r = JSON.parse(out.trim().split('\n').pop()!) as { baseline: number; end: number; peak: number; ok: number; failed: number; seconds: number };
  process.stdout.write(
    [
      `${r.ok.toLocaleString('en-US')} unary requests (${r.failed} failed) at concurrency 50 in ${r.seconds.toFixed(0)} s, client on core 0`,
      `${loadBefore} before, ${await machineLoad()} after`,
      `RSS after 5% of requests ${r.baseline.toFixed(1)} MB, at the end ${r.end.toFixed(1)} MB, peak ${r.peak.toFixed(1)} MB: growth ${(r.end - r.baseline).toFixed(1)} MB (goal < 50 MB)`,
    ].join('\n') + '\n',
  );
} finally {
  await server.close();
}

/**
 * Records keep memory flat: 100k requests against the reference server's /echo with
 * `output.records` on, sampling RSS during the run. For each of no records (the control),
 * CSV and NDJSON: a 20k-request warm-up run of the same shape (JIT, connections, V8 heap
 * sizing), then RSS before and the peak during the measured run.
 *
 *   npm run bench:records-memory            (100k requests per format)
 *   npm run bench:records-memory -- 20000   (fewer)
 *
 * The reference server runs in its own process (`inferbench serve`), so only the client's
 * memory is measured.
 */
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { run } from '../src/run/runner.js';

const requests = Number(process.argv[2] ?? 100_000);
const serverProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const server = {
  url: await new Promise<string>((resolve, reject) => {
    let seen = '';
    serverProcess.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    serverProcess.once('exit', () => reject(new Error(`inferbench serve exited:\n${seen}`)));
  }),
  close: async () => void serverProcess.kill('SIGINT'),
};
const dir = await mkdtemp(join(tmpdir(), 'inferbench-records-bench-'));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function once(format: 'csv' | 'ndjson' | undefined, n: number) {
  return run({
    name: `records-${format ?? 'off'}`,
    target: { protocol: 'http', url: `${server.url}/echo`, method: 'POST', body: { prompt: 'hello {{index}}' } },
    load: { mode: 'concurrency', concurrency: 32, requests: n },
    tokenizer: 'none',
    output: { dir, records: format },
  });
}

try {
  for (const format of [undefined, 'csv', 'ndjson'] as const) {
    await once(format, 20_000); // warm: JIT, connections, V8 heap sizing
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const result = await once(format, requests);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    const size = result.recordsPath ? (await stat(result.recordsPath)).size : 0;
    const rows = result.results.points[0]!.measure.counts.sent;
    console.log(
      `records ${format ?? 'off'}: ${rows} requests in ${seconds.toFixed(1)} s (${(rows / seconds).toFixed(0)} req/s), records ${mb(size)} MB; ` +
        `RSS before ${mb(before)} MB, peak ${mb(peak)} MB, growth ${mb(peak - before)} MB`,
    );
  }
} finally {
  await server.close();
}

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

/** Debian's prometheus (`apt-get install prometheus`; .ci/run installs it). */
export const PROMETHEUS_PATH = process.env.INFERBENCH_PROMETHEUS ?? '/usr/bin/prometheus';

export interface PrometheusServer {
  url: string;
  /** Where remote writes go. */
  writeUrl: string;
  /** An instant query (`/api/v1/query`); returns the result vector or matrix. */
  query(promql: string): Promise<{ metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[]>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real Prometheus with the remote-write receiver on, on a free loopback port, storing into a temp dir. */
export async function startPrometheus(): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS_PATH)) throw new Error(`prometheus not found at ${PROMETHEUS_PATH}: run "apt-get install -y prometheus" or set INFERBENCH_PROMETHEUS`);
  const dir = await mkdtemp(join(tmpdir(), 'inferbench-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1h\n');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      PROMETHEUS_PATH,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ready = await waitReady(url, exited);
    if (ready) return server(url, child, dir);
    if (attempt >= 2) throw new Error(`prometheus did not start:\n${log}`);
  }
}

/** Polls /-/ready until it answers 200 or the process exits (a port taken between probe and bind). */
async function waitReady(url: string, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (!gone && Date.now() < deadline) {
    try {
      const res = await request(`${url}/-/ready`);
      await res.body.text();
      if (res.statusCode === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function server(url: string, child: ChildProcess, dir: string): PrometheusServer {
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(promql) {
      const res = await request(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.body.json()) as { status: string; error?: string; data: { result: never[] } };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
      return body.data.result;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

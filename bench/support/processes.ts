/**
 * Child processes for the benchmarks: the reference server and each client under test run in
 * their own process (own event loop, own core when the machine has two or more), so a client's
 * figure never includes the server's work.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `taskset -c CORE` when pinning is possible (Linux with taskset and at least two cores), else nothing. */
export function pinnedTo(core: number): string[] {
  if (cpus().length < 2) return [];
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  return probe.status === 0 ? ['taskset', '-c', String(core)] : [];
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export interface ServerProcess {
  url: string;
  close(): Promise<void>;
}

/** `inferbench serve --port 0` (TypeScript sources through tsx) on the given core; resolves with its URL. */
export async function startReferenceServer(core: number, extraFlags: string[] = []): Promise<ServerProcess> {
  const argv = [...pinnedTo(core), process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...extraFlags];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`reference server exited (${code}) before listening:\n${out}`)));
  });
  child.stdout!.resume();
  return { url, close: () => stop(child) };
}

/** A TypeScript server script under bench/ in its own process on `core`; resolves with its URL once it prints "listening on URL". */
export async function startScriptServer(core: number, script: string, args: string[] = []): Promise<ServerProcess> {
  const argv = [...pinnedTo(core), process.execPath, '--import', 'tsx', script, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before listening:\n${out}`)));
  });
  child.stdout!.resume();
  return { url, close: () => stop(child) };
}

/** Same for a static nginx serving a small file on 127.0.0.1; undefined when nginx is not installed. */
export async function startNginx(core: number, dir: string): Promise<ServerProcess | undefined> {
  if (!hasCommand('nginx')) return undefined;
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  // nginx's worker processes run as an unprivileged user: the directory must be readable by it.
  const { chmodSync } = await import('node:fs');
  chmodSync(dir, 0o755);
  mkdirSync(`${dir}/html`, { recursive: true });
  mkdirSync(`${dir}/tmp`, { recursive: true });
  writeFileSync(`${dir}/html/echo`, '{"echo":null}\n');
  writeFileSync(
    `${dir}/nginx.conf`,
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp; keepalive_requests 100000000;
  server { listen 127.0.0.1:${port}; root ${dir}/html; location / { default_type application/json; } } }
`,
  );
  const argv = [...pinnedTo(core), 'nginx', '-c', `${dir}/nginx.conf`, '-p', dir];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/echo`).then((r) => r.ok, () => false);
    if (ok) return { url, close: () => stop(child) };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop(child);
  throw new Error('nginx did not answer within 5 s');
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs a command to completion and returns its stdout (stderr passes through). */
export function runToEnd(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`))));
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The machine's load average, to print beside every figure (the dev machines are shared). */
export async function machineLoad(): Promise<string> {
  const { loadavg, cpus } = await import('node:os');
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;
}

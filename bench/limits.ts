/**
 * Bounded work per request: peak RSS and wall time of the built CLI (dist/, as a user runs it,
 * default `tokenizer: auto`) for one 1 MiB event without whitespace, one 100 MiB stream, and four
 * 100 MiB streams at once; then the same runs stopped with Ctrl+C (SIGINT) mid-way, with the time
 * from the signal to the process's exit (which includes writing the partial results).
 *
 *   npm run build && npm run bench:limits -- [--mb 100] [--cli dist/cli/main.js]
 *
 * The answers come from bench/support/limits-server.ts in its own process (core 0; the client on core 1).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLoad, pinnedTo, REPO_ROOT } from './support/processes.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, cli: { type: 'string', default: 'dist/cli/main.js' }, 'no-interrupt': { type: 'boolean' } } });
const MB = Number(values.mb);
const dir = mkdtempSync(join(tmpdir(), 'inferbench-limits-'));

// The server, with every line it prints kept for the interrupt points.
const serverArgv = [...pinnedTo(0), process.execPath, '--import', 'tsx', 'bench/support/limits-server.ts'];
const server = spawn(serverArgv[0]!, serverArgv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
let serverOut = '';
const serverLines: ((line: string) => void)[] = [];
server.stdout!.on('data', (d: Buffer) => {
  for (const line of d.toString().split('\n').filter(Boolean)) {
    serverOut += `${line}\n`;
    for (const l of serverLines) l(line);
  }
});
const url = await new Promise<string>((resolve) => {
  const check = (line: string) => {
    const m = /listening on (\S+)/.exec(line);
    if (m) resolve(m[1]!);
  };
  serverLines.push(check);
});

interface Outcome {
  wallS: number;
  rssMb: number;
  code: number | null;
  interruptMs?: number;
  summary: string;
}

/** Runs the CLI on `path`; with `interruptOn`, sends SIGINT when the server prints a matching line. */
function runClient(name: string, path: string, concurrency: number, interruptOn?: RegExp): Promise<Outcome> {
  const argv = [
    ...pinnedTo(1),
    process.execPath,
    '--import',
    join(REPO_ROOT, 'bench/support/max-rss.mjs'),
    values.cli!,
    'run',
    '--url',
    `${url}${path}`,
    '--protocol',
    'openai',
    '--requests',
    String(concurrency),
    '--concurrency',
    String(concurrency),
    '--timeout',
    '600s',
    '--out',
    join(dir, `${name}${interruptOn ? '-interrupted' : ''}.json`),
  ];
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let signalAt: number | undefined;
  if (interruptOn) {
    const watch = (line: string) => {
      if (signalAt === undefined && interruptOn.test(line)) {
        signalAt = performance.now();
        child.kill('SIGINT');
      }
    };
    serverLines.push(watch);
  }
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const end = performance.now();
      serverLines.splice(1);
      const rssKb = Number(/\[max-rss-kb\] (\d+)/.exec(out)?.[1] ?? NaN);
      const summary = /requests: .*/.exec(out)?.[0] ?? out.trim().split('\n').slice(-3).join(' | ');
      resolve({ wallS: (end - started) / 1000, rssMb: rssKb / 1024, code, interruptMs: signalAt === undefined ? undefined : end - signalAt, summary });
    });
  });
}

/** Ctrl+C about half way through a stream (the server reports every 10 MiB). */
const HALF = Math.max(10, Math.round(MB / 20) * 10);
const cases = [
  { name: '1 MiB event (no whitespace)', path: '/v1/chat/completions?case=one-mb-event', concurrency: 1, interruptOn: /^done one-mb-event/ },
  { name: `${MB} MiB stream`, path: `/v1/chat/completions?mb=${MB}`, concurrency: 1, interruptOn: new RegExp(`^sent ${HALF}$`) },
  { name: `4 × ${MB} MiB streams at once`, path: `/v1/chat/completions?mb=${MB}`, concurrency: 4, interruptOn: new RegExp(`^sent ${HALF}$`) },
];

/** What the results say about the tokens of a finished case. */
function tokensOf(name: string): string {
  try {
    const r = JSON.parse(readFileSync(join(dir, `${name.replace(/\W+/g, '_')}.json`), 'utf8')) as { points: { measure: { tokens: Record<string, unknown> } }[] };
    const t = r.points[0]!.measure.tokens;
    return `tokens ${t.source} ${t.totalOutputTokens}${t.tokenizerEstimatedAnswers ? ` (${t.tokenizerEstimatedAnswers} answers estimated beyond ${t.tokenizerCapChars} chars)` : ''}`;
  } catch (err) {
    return `no results (${(err as Error).message})`;
  }
}

const rows: string[] = [];
for (const c of cases) {
  const load = await machineLoad();
  const whole = await runClient(c.name.replace(/\W+/g, '_'), c.path, c.concurrency);
  const stopped = values['no-interrupt'] ? undefined : await runClient(c.name.replace(/\W+/g, '_'), c.path, c.concurrency, c.interruptOn);
  const row =
    `${c.name.padEnd(30)} wall ${whole.wallS.toFixed(1).padStart(6)} s  peak RSS ${whole.rssMb.toFixed(0).padStart(5)} MB  exit ${whole.code}  ${whole.summary}; ${tokensOf(c.name)}` +
    (stopped ? `  | Ctrl+C → exit in ${stopped.interruptMs?.toFixed(0) ?? '?'} ms (exit ${stopped.code}, peak RSS ${stopped.rssMb.toFixed(0)} MB)` : '') +
    `  [${load}]`;
  rows.push(row);
  process.stdout.write(`${row}\n`);
}
process.stdout.write(`\nclient: ${values.cli}; results under ${dir}\n`);
server.kill('SIGTERM');
void serverOut;

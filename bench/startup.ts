/**
 * Start-up: how long `inferbench --version` takes against a bare `node -e ""` (the floor any
 * Node CLI pays), how long `import('inferbench')` takes, and which packages and modules an
 * import and a plain HTTP run load: none of the protocol clients, codecs or chart code they do
 * not use (grpc-js, protobufjs, ws, pngjs, jpeg-js, echarts, undici for a plain-HTTP target).
 * Runs the built CLI (dist/, rebuilt first when src/ is newer); rounds alternate and the median
 * is reported.
 *
 *   npm run bench:startup -- [--rounds 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLoad, median, REPO_ROOT } from './support/processes.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const GOAL_VERSION_MS = 150;
/** Packages a library import must not load, and a plain-HTTP run neither. */
const NEVER_ON_IMPORT = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'ws', 'pngjs', 'jpeg-js', 'echarts', 'undici', 'yaml', 'csv-parse', 'parse-prometheus-text-format', 'gpt-tokenizer', '@huggingface/tokenizers'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const distMain = join(REPO_ROOT, 'dist/cli/main.js');
let built = false;
try {
  built = statSync(distMain).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'));
} catch {
  // no dist yet
}
if (!built) {
  process.stderr.write('building dist/ (src/ is newer)…\n');
  const b = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('npm run build failed');
}

/** Wall time of one process, in ms. */
function timed(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return ms;
}

/** The packages (node_modules/<name>) and dist modules a script loaded, through bench/support/module-trace.mjs. */
function traced(script: string): { packages: string[]; modules: string[]; out: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'inferbench-trace-')), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', './bench/support/module-trace.mjs', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, INFERBENCH_MODULE_TRACE: file },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`traced script exited ${r.status}`);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const packages = new Set<string>();
  for (const l of lines) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(l.slice(l.lastIndexOf('node_modules/')));
    if (m) packages.add(m[1]!);
  }
  const modules = [...new Set(lines.filter((l) => l.includes('/dist/')).map((l) => l.slice(l.indexOf('/dist/') + 6)))];
  return { packages: [...packages].sort(), modules, out: r.stdout.toString() };
}

const loadBefore = await machineLoad();
const samples = { node: [] as number[], version: [] as number[] };
for (let r = 0; r < rounds; r++) {
  samples.node.push(timed([process.execPath, '-e', '']));
  samples.version.push(timed([process.execPath, distMain, '--version']));
}

const importRun = traced(`const t0 = performance.now(); await import('./dist/index.js'); process.stdout.write(String(performance.now() - t0));`);
const importMs = Number(importRun.out);
const httpRun = traced(`
import { createServer } from 'node:http';
const server = createServer((_req, res) => res.end('{"ok":true}'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { run } = await import('./dist/index.js');
const { results } = await run({ target: { protocol: 'http', url: 'http://127.0.0.1:' + server.address().port + '/' }, load: { concurrency: 2, requests: 20 }, tokenizer: 'none', output: { write: false } });
server.close();
process.stdout.write(String(results.points[0].measure.counts.ok));`);

const forbiddenOnImport = importRun.packages.filter((p) => NEVER_ON_IMPORT.includes(p));
const forbiddenOnRun = httpRun.packages.filter((p) => NEVER_ON_IMPORT.includes(p));
const clientModules = (m: string[]) => m.filter((x) => /^protocols\/[^/]+\/client\.js$/.test(x) || /^report\/(html|chart-|.*-charts)/.test(x));
const nodeMs = median(samples.node);
const versionMs = median(samples.version);
process.stdout.write(
  [
    `start-up, ${rounds} alternating rounds, built CLI (dist/)`,
    `${loadBefore} before, ${await machineLoad()} after`,
    `node -e ""              ${nodeMs.toFixed(0).padStart(5)} ms  (rounds: ${samples.node.map((x) => x.toFixed(0)).join(', ')})`,
    `inferbench --version    ${versionMs.toFixed(0).padStart(5)} ms  (rounds: ${samples.version.map((x) => x.toFixed(0)).join(', ')})`,
    `ratio --version / goal ${GOAL_VERSION_MS} ms: ${(versionMs / GOAL_VERSION_MS).toFixed(2)}×; over bare node: +${(versionMs - nodeMs).toFixed(0)} ms`,
    `import('inferbench')    ${importMs.toFixed(0).padStart(5)} ms; packages: ${importRun.packages.join(', ')}`,
    `  protocol clients / chart code loaded by the import: ${clientModules(importRun.modules).join(', ') || 'none'}; packages it must not load: ${forbiddenOnImport.join(', ') || 'none'}`,
    `a plain-HTTP run (${httpRun.out} ok): packages ${httpRun.packages.join(', ')}`,
    `  protocol clients loaded: ${clientModules(httpRun.modules).join(', ') || 'none'}; packages it must not load: ${forbiddenOnRun.join(', ') || 'none'}`,
    `goals: --version ≤ ${GOAL_VERSION_MS} ms; the import and the run load none of: ${NEVER_ON_IMPORT.join(', ')}`,
  ].join('\n') + '\n',
);

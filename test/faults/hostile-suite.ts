import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutcomeKind } from '../../src/model/timeline.js';
import type { Results } from '../../src/model/results.js';
import { CLI_MAIN, REPO_ROOT } from '../helpers/cli.js';
import { BURST, HOSTILE_MODES, startHostileServer, type HostileClient, type HostileMode, type HostileServer } from '../helpers/hostile-server.js';

/**
 * The fault suite: every hostile mode (test/helpers/hostile-server.ts, bytes on node:net) against
 * the openai, generic sse, ndjson, gradio and http clients, through the built CLI as a user runs
 * it: one run per client (a file each, test/faults/hostile-<client>.test.ts, so they spread over
 * the test workers), one sweep point per mode. For each mode: the outcome kind of every
 * request (from the records), sent == completed == ok + failed, a results file valid against the
 * checked-in JSON Schema, and the client's peak RSS within a stated bound. A refused connection is
 * found before any load (the runner probes every target first) and reported with its URL and cause.
 */
const RSS_BOUND_MB = 400;
/** Timeout for the modes that stall (a request must end as a timeout, quickly). */
const STALL_TIMEOUT = '250ms';

type Expected = OutcomeKind | 'burst';

/** What each mode must end as, and why. */
function expected(client: HostileClient, mode: HostileMode): Expected {
  const stream = client !== 'http';
  switch (mode) {
    case 'fin-mid-stream':
    case 'rst-mid-stream':
    case 'content-length-too-large':
    case 'half-open':
      return 'connection_error'; // the connection broke
    case 'bad-chunk-size':
    case 'no-blank-line':
      return 'protocol_error'; // bytes that are not HTTP
    case 'stall-before-headers':
    case 'stall-after-headers':
      return 'timeout';
    case '5xx-burst':
      return 'burst';
    case 'non-json':
      return stream ? 'protocol_error' : 'ok'; // a plain HTTP body is not read as JSON
    case 'wrong-shape':
      // OpenAI's reader needs chunk objects; the generic readers and Gradio's take what their paths find (nothing, here).
      return client === 'openai' ? 'protocol_error' : 'ok';
    case 'missing-done':
      // The generic SSE stream ends with its body unless told of an end; the others name their last event.
      return client === 'sse' || client === 'http' ? 'ok' : 'protocol_error';
    case 'oversized-event':
      return stream ? 'protocol_error' : 'ok'; // over 16 Mi characters in one event
    default:
      return 'ok';
  }
}

function requestsFor(mode: HostileMode): number {
  if (mode === '5xx-burst') return BURST + 3;
  if (mode === 'huge-body' || mode === 'huge-event' || mode === 'oversized-event') return 2;
  return 4;
}

function targetFor(client: HostileClient, url: string): Record<string, unknown> {
  switch (client) {
    case 'openai':
      return { protocol: 'openai', url: `${url}/v1/chat/completions`, max_tokens: 8 };
    case 'sse':
      return { protocol: 'sse', url: `${url}/stream`, content_path: 'choices[0].delta.content' };
    case 'ndjson':
      return { protocol: 'ndjson', url: `${url}/stream`, content_path: 'text', end_path: 'done', usage_path: 'usage' };
    case 'gradio':
      return { protocol: 'gradio', url, api: '/predict', api_prefix: '/gradio_api', data: ['hi'], mode: 'simple' };
    case 'http':
      return { protocol: 'http', url: `${url}/x`, method: 'POST', body: { a: 1 } };
  }
}

/** Runs the built CLI and follows its peak RSS (VmHWM) until it exits. */
async function runClient(args: string[]): Promise<{ code: number | null; stderr: string; peakRssMb: number }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited between polls
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  return { code, stderr, peakRssMb: peakKb / 1024 };
}

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/results.schema.json'), 'utf8'));
// ajv is CommonJS: under NodeNext its class is the module's `default` property.
const validate = new Ajv2020Module.default({ allErrors: true }).compile(schema);

/** The whole fault suite for one client: call it from that client's test file. */
export function hostileSuite(client: HostileClient): void {
  let server: HostileServer;
  let refusedPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'inferbench-hostile-'));
  const table: string[] = [];

  beforeAll(async () => {
    server = await startHostileServer();
    // A port nobody listens on: taken, then released.
    refusedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
  });
  afterAll(async () => {
    await server.close();
    const path = join(tmpdir(), `inferbench-hostile-table-${client}.md`);
    writeFileSync(path, `| client | mode | sent | ok | failed by kind |\n|---|---|---|---|---|\n${table.join('\n')}\n`);
  });

  describe(`the fault suite: hostile servers against the ${client} client`, () => {
    it(`${client}: every mode ends each request once, with the right outcome`, async () => {
      const modes: HostileMode[] = [...HOSTILE_MODES];
      const base = (mode: HostileMode) => `${server.url}/${client}/${mode}`;
      const scenario = {
        name: `hostile-${client}`,
        target: { ...targetFor(client, base('ok')), timeout: '20s' },
        load: { mode: 'concurrency', concurrency: 2, requests: 4 },
        sweep: {
          points: modes.map((mode) => ({
            label: mode,
            load: { requests: requestsFor(mode) },
            target: { ...targetFor(client, base(mode)), timeout: mode.startsWith('stall') ? STALL_TIMEOUT : '20s' },
          })),
        },
        output: { dir: join(dir, client), records: 'ndjson' },
      };
      const file = join(dir, `${client}.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const r = await runClient(['run', file, '-q']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.peakRssMb, `peak RSS ${r.peakRssMb.toFixed(0)} MB`).toBeLessThan(RSS_BOUND_MB);

      const files = readdirSync(join(dir, client));
      const results = JSON.parse(readFileSync(join(dir, client, files.find((f) => f.endsWith('.json'))!), 'utf8')) as Results;
      expect(validate(results), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const records = readFileSync(join(dir, client, files.find((f) => f.endsWith('.records.ndjson'))!), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { load_point: string; outcome: OutcomeKind; error: string | null });

      const wrong: string[] = [];
      for (const [i, mode] of modes.entries()) {
        const point = results.points[i]!;
        expect(point.label).toBe(mode);
        const c = point.measure.counts;
        expect(c.sent, mode).toBe(requestsFor(mode));
        expect(c.completed, mode).toBe(c.sent);
        expect(c.ok + c.failed, mode).toBe(c.sent);
        const rows = records.filter((x) => x.load_point === mode);
        expect(rows, mode).toHaveLength(c.sent);
        const want = expected(client, mode);
        const kinds = rows.map((x) => x.outcome);
        const ok = want === 'burst' ? kinds.filter((k) => k === 'http_error').length === BURST && kinds.filter((k) => k === 'ok').length === c.sent - BURST : kinds.every((k) => k === want);
        if (!ok) wrong.push(`${mode}: expected ${want}, got ${rows.map((x) => `${x.outcome}${x.error ? ` (${x.error.slice(0, 120)})` : ''}`).join('; ')}`);
        const failedByKind = Object.entries(c.byOutcome)
          .filter(([k, n]) => k !== 'ok' && n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ');
        table.push(`| ${client} | ${mode} | ${c.sent} | ${c.ok} | ${failedByKind || '–'} |`);
      }
      table.push(`| ${client} | (peak RSS of the run) | | | ${r.peakRssMb.toFixed(0)} MB |`);
      expect(wrong).toEqual([]);
    });

    it(`${client}: a refused connection is reported before any load, with its URL and cause`, async () => {
      const url = `http://127.0.0.1:${refusedPort}/${client}/ok`;
      const out = join(dir, `${client}-refused`);
      const scenario = { name: `refused-${client}`, target: targetFor(client, url), load: { mode: 'concurrency', concurrency: 2, requests: 4 }, output: { dir: out, records: 'ndjson' } };
      const file = join(dir, `${client}-refused.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const r = await runClient(['run', file, '-q']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`Cannot reach ${(targetFor(client, url) as { url: string }).url}: ECONNREFUSED`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      table.push(`| ${client} | refused | 0 | 0 | reported before any load (exit 1) |`);
    });

    it(`${client}: a target that goes away mid-run: the calls after it are connection errors, and the results are written`, async () => {
      const OK_CALLS = 2;
      const REQUESTS = 6;
      // One call at a time, so exactly OK_CALLS calls are answered before the server stops listening.
      const going = await startHostileServer({ closeAfter: OK_CALLS * (client === 'gradio' ? 2 : 1) });
      const out = join(dir, `${client}-gone`);
      const scenario = { name: `gone-${client}`, target: { ...targetFor(client, `${going.url}/${client}/ok`), timeout: '20s' }, load: { mode: 'concurrency', concurrency: 1, requests: REQUESTS }, tokenizer: 'none', output: { dir: out, records: 'ndjson' } };
      const file = join(dir, `${client}-gone.json`);
      writeFileSync(file, JSON.stringify(scenario));
      const r = await runClient(['run', file, '-q']);
      await going.close();
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const files = readdirSync(out);
      const results = JSON.parse(readFileSync(join(out, files.find((f) => f.endsWith('.json'))!), 'utf8')) as Results;
      expect(validate(results), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const c = results.points[0]!.measure.counts;
      expect([c.sent, c.completed, c.ok, c.failed]).toEqual([REQUESTS, REQUESTS, OK_CALLS, REQUESTS - OK_CALLS]);
      const rows = readFileSync(join(out, files.find((f) => f.endsWith('.records.ndjson'))!), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { outcome: OutcomeKind; error: string | null });
      expect(rows.filter((x) => x.outcome !== 'ok').map((x) => x.outcome)).toEqual(Array(REQUESTS - OK_CALLS).fill('connection_error'));
      // The last calls find nobody listening (the first one after may still meet the dropped keep-alive socket).
      expect(rows.at(-1)!.error).toContain('ECONNREFUSED');
      table.push(`| ${client} | refused mid-run | ${c.sent} | ${c.ok} | connection_error ${c.failed} (exit ${r.code}) |`);
    });
  });
}

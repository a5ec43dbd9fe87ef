import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

/**
 * The secret appears in no file and no byte printed, for every output switch, while the server
 * echoes it back in 200 answers and 500 bodies, cut at every length previews cut at.
 */
const SECRET = 'sk-SECRETenv-4f9c2a77e1d0b3f5';
const LITERAL_KEY = 'literal-key-9d8c7b6a5f43';
const GRADIO_TOKEN = 'hf_literalGradioToken77ab12cd';
const ENV = { INFERBENCH_TEST_SECRET: SECRET };

/** Every piece of a secret long enough to identify it. */
function pieces(secret: string, min = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i + min <= secret.length; i++) out.push(secret.slice(i, i + min));
  return out;
}

function leaks(text: string, secrets: string[]): string[] {
  return secrets.flatMap((s) => pieces(s).filter((p) => text.includes(p)).map((p) => `${p} (of ${s.slice(0, 4)}…)`));
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

let echo: Server;
let echoUrl: string;
let requests = 0;

beforeAll(async () => {
  // Echoes what it was sent: in the answer text of a 200 stream, and in 500 bodies (JSON, and plain
  // text), after a padding that puts the secret across the points where previews and messages are
  // cut (80 characters of --verbose, 300 of a text error, 2048 bytes of a body preview).
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const n = requests++;
      const sent = `authorization: ${String(req.headers.authorization)}\nx-api-key: ${String(req.headers['x-api-key'])}\nurl: ${req.url}\nbody: ${body}`;
      // The secret starts up to 30 characters before `cut` (after `before` characters of text ahead of it).
      const around = (cut: number, before: number) => 'p'.repeat(Math.max(0, cut - before - 30 + ((n * 7) % 30)));
      if (n % 4 === 1) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `${around(200, 49)} upstream failed; you sent ${sent}`, headers: req.headers } }));
      } else if (n % 4 === 3) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${around(n % 8 === 3 ? 300 : 2048, 48)}upstream failed; you sent ${sent}`);
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of [around(80, 32), ' you sent ', sent]) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
        res.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      }
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
afterAll(() => echo.close());

const SWITCHES: string[][] = [
  ['--records', 'csv', '--report', 'html', '--summary', 'md', '--verbose', '--debug', 'post', 'sse', 'text'],
  ['--records', 'ndjson', '--json'],
  ['--verbose', '--json', '--report', 'html'],
  ['--debug', 'sse', '--records', 'csv', '--summary', 'md'],
  ['--debug', 'text', '--records', 'ndjson', '--report', 'html', '--json'],
];

describe('no secret reaches a file or a printed byte', () => {
  it.each(SWITCHES.map((s) => [s.join(' '), s]))('%s, with the server echoing them in 200 and 500 bodies', async (label, switches) => {
    const dir = mkdtempSync(join(tmpdir(), 'inferbench-secrets-'));
    const r = await runCli(
      [
        'run',
        '--url',
        `${echoUrl}/v1/chat/completions?api_key=\${INFERBENCH_TEST_SECRET}`,
        '-H',
        'Authorization: Bearer ${INFERBENCH_TEST_SECRET}',
        '-H',
        `X-Api-Key: ${LITERAL_KEY}`,
        '-n',
        '16',
        '--tokenizer',
        'none',
        '--output-dir',
        dir,
        ...switches,
      ],
      { env: ENV },
    );
    expect(r.code, r.stderr).toBe(0);
    // The run did see the echoes: failures with the server's body, answers with text.
    expect(r.stdout + r.stderr).toContain('[redacted]');
    expect(leaks(r.stdout + r.stderr, [SECRET, LITERAL_KEY])).toEqual([]);
    const files = allFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(1 + (switches.includes('--records') ? 1 : 0) + (switches.includes('--report') ? 1 : 0));
    for (const f of files) expect(leaks(readFileSync(f, 'utf8'), [SECRET, LITERAL_KEY]), f).toEqual([]);

    // Re-rendering the results writes nothing new of them either (the file of the run with every
    // output switch; the others' results differ from it only in their command lines).
    if (label !== SWITCHES[0]!.join(' ')) return;
    const results = files.find((f) => f.endsWith('.json'))!;
    for (const format of ['md', 'console', 'html']) {
      const out = join(dir, `again.${format}`);
      const again = await runCli(['report', results, '--format', format, ...(format === 'html' ? ['-o', out] : [])]);
      expect(again.code).toBe(0);
      expect(leaks(again.stdout + again.stderr + (format === 'html' ? readFileSync(out, 'utf8') : ''), [SECRET, LITERAL_KEY])).toEqual([]);
    }
  });

  it('a literal gradio --token is kept out of the command line in the results, the HTML report and --json', async () => {
    const server: ServerThread = await startServerThread({ seed: 2, ttftMs: '5ms', itlMs: '1ms', outputTokens: 4 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'inferbench-secrets-'));
      const r = await runCli(['run', '--url', server.url, '--protocol', 'gradio', '--api', '/predict', '--data', '["sys", "Hello", 16, 0.1, 0.1]', '--token', GRADIO_TOKEN, '-n', '2', '--tokenizer', 'none', '--output-dir', dir, '--report', 'html', '--json', '--verbose']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).commandLine).toContain('[redacted]');
      expect(leaks(r.stdout + r.stderr, [GRADIO_TOKEN])).toEqual([]);
      for (const f of allFiles(dir)) expect(leaks(readFileSync(f, 'utf8'), [GRADIO_TOKEN]), f).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('an unreachable URL with a ${SECRET} query value is reported without it', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['run', '--url', `http://127.0.0.1:${port}/v1/chat/completions?key=\${INFERBENCH_TEST_SECRET}`, '-n', '1', '--no-write'], { env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(leaks(r.stdout + r.stderr, [SECRET])).toEqual([]);
  });
});

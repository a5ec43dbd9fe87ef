import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'hf_inferbenchTestToken123';
let server: ReferenceServer;

beforeAll(async () => {
  server = await serve({ seed: 3, ttftMs: 10, itlMs: 2, outputTokens: 5 });
});
afterAll(() => server.close());

describe('inferbench run --protocol gradio', () => {
  it('prints a RUN block per request, the debug switches, the seed-style summary, and never the token', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'inferbench-gradio-')), 'results.json');
    const result = await runCli(
      ['run', '--protocol', 'gradio', '--url', server.url, '--api', '/predict', '--data', '["sys", "Hello", 512, 0.1, 0.1]', '--token', '${HF_TOKEN}', '-n', '2', '--verbose', '--debug', 'post', 'sse', 'text', '--out', out],
      { env: { HF_TOKEN: TOKEN } },
    );
    expect(result.code, result.stderr).toBe(0);
    const all = result.stdout + result.stderr;
    expect(all).toContain('RUN 1/2');
    expect(all).toContain('RUN 2/2');
    expect(all).toMatch(/Queue submit time: +\d+\.\d{3}s/);
    expect(all).toMatch(/\[debug post\] \+\d+\.\d{3}s request 0: POST .*\/gradio_api\/call\/predict\n\{"event_id":"[0-9a-f]{32}"\}/);
    expect(all).toMatch(/\[debug sse\] \+\d+\.\d{3}s request 1: event: complete/);
    expect(all).toContain('FINAL MODEL OUTPUT:');
    expect(result.stdout).toContain('Successful runs: 2/2');
    expect(result.stdout).toMatch(/Queue Submit Time:\n  Average: .*\n  Minimum: .*\n  Maximum: /);
    expect(all).not.toContain(TOKEN);
    const written = readFileSync(out, 'utf8');
    expect(written).not.toContain(TOKEN);
    expect(JSON.parse(written).scenario.target.token).toBe('[redacted]');
  });

  it('says when no text was extracted and names the switches to use', async () => {
    const result = await runCli(['run', '--protocol', 'gradio', '--url', server.url, '--api', '/chat', '--data', '["Hi", null]', '--text-path', '1', '-n', '1', '--no-write', '--tokenizer', 'none']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/no model output extracted.*--debug sse.*--text-path/);
  });

  it('rejects a --data that is not JSON, naming the flag', async () => {
    const result = await runCli(['run', '--protocol', 'gradio', '--url', server.url, '--data', '[oops', '--no-write']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--data/);
  });
});

describe('inferbench gradio-info', () => {
  it('lists the named endpoints with their parameters and a ready --data example', async () => {
    const result = await runCli(['gradio-info', server.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Gradio 5.49.1');
    expect(result.stdout).toContain('API prefix: /gradio_api');
    expect(result.stdout).toMatch(/\/predict\n  \[0\] system_prompt: str \(required\)/);
    expect(result.stdout).toContain(`--api /chat --data '["Hello!!",null]'`);
  });

  it("places nulls where /config lists State inputs, whatever the endpoint is called, and guesses none", async () => {
    // An app whose State input sits on /respond and whose /chat takes only a message.
    const text = (name: string) => ({ label: name, parameter_name: name, parameter_has_default: false, type: { type: 'string' }, python_type: { type: 'str' }, component: 'Textbox', example_input: 'hi' });
    const app = createServer((req, res) => {
      const body =
        req.url === '/config'
          ? {
              version: '5.9.0',
              api_prefix: '/gradio_api',
              components: [{ id: 1, type: 'textbox' }, { id: 2, type: 'state' }, { id: 3, type: 'textbox' }],
              dependencies: [{ id: 0, api_name: 'respond', inputs: [2, 1] }, { id: 1, api_name: 'chat', inputs: [3] }],
            }
          : { named_endpoints: { '/respond': { parameters: [text('message')], returns: [] }, '/chat': { parameters: [text('message')], returns: [] } } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
      const result = await runCli(['gradio-info', url]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`--api /respond --data '[null,"hi"]'`);
      expect(result.stdout).toContain(`--api /chat --data '["hi"]'`);
      expect(result.stdout).toContain('/config lists 1 State input that /info hides');
    } finally {
      app.close();
    }
  });
});

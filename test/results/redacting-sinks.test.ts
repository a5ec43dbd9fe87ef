import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor, REDACTED } from '../../src/model/redact.js';
import { registerCredentials, SecretRegistry } from '../../src/scenario/secrets.js';
import { REPO_ROOT } from '../helpers/cli.js';

const SECRET = 'sk-SECRETenv-4f9c2a77e1d0b3';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the redacting sinks are the only way out', () => {
  const files = sourceFiles(join(REPO_ROOT, 'src')).map((f) => ({ path: relative(REPO_ROOT, f), text: readFileSync(f, 'utf8') }));

  it('no module but results/redacting-sinks.ts writes a file', () => {
    const fileWrites = /\b(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|writeSync|openSync)\s*\(|\bopen\([^)]*['"][wa]x?\+?['"]/;
    const offenders = files.filter((f) => f.path !== 'src/results/redacting-sinks.ts' && fileWrites.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('only the CLI (whose stdout and stderr program.ts routes through the redactor) prints', () => {
    const printing = /process\.(stdout|stderr)\b|console\.(log|error|warn|info|debug)\(/;
    const offenders = files
      .filter((f) => !f.path.startsWith('src/cli/') && f.path !== 'src/results/redacting-sinks.ts' && !f.path.startsWith('src/server/') && printing.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
    expect(files.find((f) => f.path === 'src/cli/program.ts')!.text).toMatch(/redactProcessOutput\(cliRedactor\)/);
    // main.ts prints only the version (it answers --version before the commands, and the redactor, load).
    expect(files.find((f) => f.path === 'src/cli/main.ts')!.text.match(/process\.(stdout|stderr)\.write\([^)]*\)/g)).toEqual(['process.stdout.write(`${TOOL_VERSION}\\n`)']);
  });
});

describe('Redactor', () => {
  const r = new Redactor();
  r.addCredential(`Bearer ${SECRET}`);

  it('hides a secret whole, and a piece a preview cut short at either end', () => {
    expect(r.redactText(`auth Bearer ${SECRET} ok`)).toBe(`auth ${REDACTED} ok`);
    expect(r.redactText(`…Bearer ${SECRET.slice(0, 23)}…`)).not.toContain(SECRET.slice(0, 8));
    expect(r.redactText(`answered without an event_id ({"k": "${SECRET.slice(0, 20)}); run with --debug post`)).not.toContain(SECRET.slice(0, 8));
    expect(r.redactText(`${SECRET.slice(9)} and more`)).toBe(`${REDACTED} and more`);
  });

  it('keeps a value that only shares a prefix with a secret', () => {
    const urls = new Redactor();
    urls.add('http://localhost:9999/v1');
    expect(urls.redactText('request failed (http://localhost:8000/v1): refused')).toBe('request failed (http://localhost:8000/v1): refused');
  });

  it('hides the forms an echo takes: URL-encoded, JSON-escaped', () => {
    const odd = new Redactor();
    odd.add('p@ss/w"rd+1');
    expect(odd.redactText('?password=p%40ss%2Fw%22rd%2B1')).not.toContain('w%22rd');
    expect(odd.redactText(JSON.stringify({ echoed: 'p@ss/w"rd+1' }))).not.toContain('rd+1');
  });

  it('hides credential-shaped text it was never told about, keeping JSON and CSV valid', () => {
    const plain = new Redactor();
    const json = JSON.stringify({ message: `HTTP 500: {"authorization": "Bearer abcdefgh123", "x-api-key": "k-999999", "n": 1}`, url: 'https://user:pw@h/x?key=AIza1&model=m' }, null, 2);
    const out = plain.redactText(json);
    expect(() => JSON.parse(out)).not.toThrow();
    for (const leaked of ['abcdefgh123', 'k-999999', 'user:pw', 'AIza1']) expect(out).not.toContain(leaked);
    expect(out).toContain('model=m');
    expect(plain.redactText('x-api-key: zzzzzz-unknown,next,"field"\n')).toBe(`x-api-key: ${REDACTED},next,"field"\n`);
    // A stream event's "token" field is content, not a credential.
    expect(plain.redactText('data: {"token":"Hello"}')).toBe('data: {"token":"Hello"}');
  });

  it('keeps a header that only names an environment variable (a scenario or manifest as written), not one with a default', () => {
    const r = new Redactor();
    expect(r.redactText('    Authorization: Bearer ${API_KEY}\n')).toBe('    Authorization: Bearer ${API_KEY}\n');
    expect(r.redactText('x-api-key: ${KEY}')).toBe('x-api-key: ${KEY}');
    expect(r.redactText('x-api-key: ${KEY:-sk-literal-default}')).toBe(`x-api-key: ${REDACTED}`);
    expect(r.redactText('x-api-key: abc${KEY}')).toBe(`x-api-key: ${REDACTED}`);
  });

  it('links: a process-wide redactor hides what each run registers later', () => {
    const process = new Redactor();
    const run = new Redactor();
    process.link(run);
    run.add('late-secret-value');
    expect(process.redactText('x late-secret-value y')).toBe(`x ${REDACTED} y`);
  });

  it('redacts the same text again after a secret was learned since (its own, or a linked one)', () => {
    const process = new Redactor();
    const text = 'answer: another-late-secret and second-late-secret';
    expect(process.redactText(text)).toBe(text);
    expect(process.redactText(text)).toBe(text);
    process.add('another-late-secret');
    expect(process.redactText(text)).toBe(`answer: ${REDACTED} and second-late-secret`);
    const run = new Redactor();
    run.add('second-late-secret');
    expect(process.redactText(text)).toBe(`answer: ${REDACTED} and second-late-secret`);
    process.link(run);
    expect(process.redactText(text)).toBe(`answer: ${REDACTED} and ${REDACTED}`);
    const later = new Redactor();
    run.link(later);
    later.add('answer');
    expect(process.redactText(text)).toBe(`${REDACTED}: ${REDACTED} and ${REDACTED}`);
  });
});

describe('registerCredentials', () => {
  it('registers literal credentials: auth headers, *key*/*token* headers, tokens, URL userinfo and credential query values', () => {
    const secrets = new SecretRegistry();
    registerCredentials(
      {
        target: {
          url: 'https://bob:hunter2-pass@example.com/v1?api_key=qk-123456&model=x',
          headers: { Authorization: 'Bearer sk-literal-abcdef', 'X-Goog-Api-Key': 'goog-key-12345', 'X-Custom-Token': 'tok-7890123', Accept: 'text/event-stream' },
          token: 'hf_literaltoken123',
          metadata: { authorization: 'grpc-secret-4567' },
        },
      },
      secrets,
    );
    const text = 'sk-literal-abcdef goog-key-12345 tok-7890123 hf_literaltoken123 grpc-secret-4567 hunter2-pass qk-123456 text/event-stream';
    expect(secrets.redactText(text)).toBe(`${Array(7).fill(REDACTED).join(' ')} text/event-stream`);
  });
});

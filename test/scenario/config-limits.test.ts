import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * Config errors stay readable whatever the file: the first 20 problems and a count of the rest,
 * a clear message for nesting too deep to read, duplicate YAML keys named, all before any request.
 */
const dir = mkdtempSync(join(tmpdir(), 'inferbench-config-'));
const TARGET = { protocol: 'openai', url: 'http://127.0.0.1:9/v1/chat/completions' };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('config checks with hostile files', () => {
  it('30,000 unknown keys: exit 2 with the first 20 problems and "and 29980 more"', async () => {
    const scenario: Record<string, unknown> = { target: TARGET };
    for (let i = 0; i < 30_000; i++) scenario[`k${i}`] = i;
    const r = await runCli(['run', file('keys.json', JSON.stringify(scenario))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(30000 problems)');
    expect(r.stderr).toContain('  ... and 29980 more');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(20);
    expect(r.stderr.length).toBeLessThan(10_000);
  });

  it('20,000 levels of nesting, in YAML and in JSON: exit 2 with a message, no stack overflow', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const yaml = await runCli(['run', file('deep.yaml', `target:\n  protocol: openai\n  url: ${TARGET.url}\nload: ${deep}\n`)]);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain('nested too deeply to read');
    const json = await runCli(['run', file('deep.json', `{"target": ${JSON.stringify(TARGET)}, "load": ${deep}}`)]);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/load\[0\]\[0\].*: nested deeper than 64 levels/);
    for (const r of [yaml, json]) expect(r.stderr).not.toContain('Maximum call stack');
  });

  it('a key written twice in one YAML mapping is named', async () => {
    const r = await runCli(['run', file('twice.yaml', `target:\n  protocol: openai\n  url: ${TARGET.url}\nload:\n  requests: 5\n  requests: 6\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('load.requests: appears twice in the same mapping; keep one');
  });
});

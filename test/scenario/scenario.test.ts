import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/config-error.js';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load-scenario.js';
import { compileTemplate } from '../../src/scenario/template.js';

async function scenarioFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'inferbench-scenario-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('scenario files', () => {
  it('reports three mistakes as three error lines naming their paths', async () => {
    const path = await scenarioFile(
      'bad.yaml',
      ['target:', '  protocol: openai', '  url: not-a-url', 'load:', '  concurency: 8', '  duration: soon', ''].join('\n'),
    );
    const err = await loadScenarioFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as ConfigError).message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain('target.url: expected an http(s) URL');
    expect(lines.join('\n')).toContain('load.concurency: unknown field; did you mean "concurrency"?');
    expect(lines.join('\n')).toContain('load.duration: expected a duration like "500ms"');
  });

  it('fills defaults for a minimal scenario', () => {
    const { scenario } = resolveScenario({ target: { protocol: 'openai', url: 'http://127.0.0.1:8000/v1/chat/completions' } });
    expect(scenario.load).toMatchObject({ mode: 'iterations', requests: 100, concurrency: 1, seed: 42 });
    expect(scenario.target).toMatchObject({ stream: true, include_usage: true });
    expect(scenario.output).toMatchObject({ dir: 'benchmarks/results', write: true });
  });

  it('infers the load mode from rate or concurrency', () => {
    const rate = resolveScenario({ target: { protocol: 'http', url: 'http://x/' }, load: { rate: 5, duration: '2s' } }).scenario.load;
    expect(rate).toMatchObject({ mode: 'rate', rate: 5, duration: 2000, arrival: 'poisson' });
    expect(rate.requests).toBeUndefined();
    const closed = resolveScenario({ target: { protocol: 'http', url: 'http://x/' }, load: { concurrency: 4 } }).scenario.load;
    expect(closed.mode).toBe('concurrency');
  });

  it('names an unknown protocol and lists the known ones', () => {
    const lines = problemsOf(() => resolveScenario({ target: { protocol: 'grpcc', url: 'http://x/' } }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^target\.protocol: .*http.*openai/);
  });

  it('substitutes ${ENV} values and names a missing variable with the fix', () => {
    const { scenario, secrets } = resolveScenario(
      { target: { protocol: 'http', url: 'http://x/', headers: { Authorization: 'Bearer ${API_KEY}' } } },
      { API_KEY: 'sk-secret-1234' },
    );
    expect((scenario.target as { headers: Record<string, string> }).headers.Authorization).toBe('Bearer sk-secret-1234');
    expect(secrets.redactText('auth Bearer sk-secret-1234')).toBe('auth Bearer [redacted]');
    expect(JSON.stringify(secrets.redact(scenario))).not.toContain('sk-secret-1234');

    const lines = problemsOf(() => resolveScenario({ target: { protocol: 'http', url: 'http://x/', headers: { Authorization: 'Bearer ${NOT_SET_ANYWHERE}' } } }, {}));
    expect(lines).toEqual(['target.headers.Authorization: environment variable NOT_SET_ANYWHERE is not set; export it, or write ${NOT_SET_ANYWHERE:-default}']);
  });

  it('redacts credential-named fields even without ${ENV}', () => {
    const { scenario, secrets } = resolveScenario({ target: { protocol: 'http', url: 'http://x/', headers: { 'X-Api-Key': 'literal-key' } } }, {});
    expect(JSON.stringify(secrets.redact(scenario))).not.toContain('literal-key');
  });
});

describe('request templates', () => {
  it('fills index, seed, seeded random values and dataset rows, keeping a lone placeholder typed', () => {
    const render = compileTemplate({ id: '{{index}}', text: 'row {{index}}: {{row.q}}', n: '{{random.int 1 6}}', u: '{{uuid}}' });
    const a = render({ index: 3, seed: 99, row: { q: 'why?' } }) as Record<string, unknown>;
    const b = render({ index: 3, seed: 99, row: { q: 'why?' } }) as Record<string, unknown>;
    expect(a.id).toBe(3);
    expect(a.text).toBe('row 3: why?');
    expect(a.n).toBeGreaterThanOrEqual(1);
    expect(a.n).toBeLessThanOrEqual(6);
    expect(a.u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).toEqual(a);
    expect((render({ index: 3, seed: 100, row: { q: 'why?' } }) as Record<string, unknown>).u).not.toBe(a.u);
  });
});

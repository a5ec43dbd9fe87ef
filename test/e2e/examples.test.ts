import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import { REPO_ROOT } from '../helpers/cli.js';

const examplesDir = join(REPO_ROOT, 'examples');
const files = readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

describe('examples/', () => {
  it.each(files)('%s is a valid scenario', (file) => {
    const text = readFileSync(join(examplesDir, file), 'utf8');
    const raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    expect(() => resolveScenario(raw, {})).not.toThrow();
  });
});

describe('the library example', () => {
  it('is in the README exactly as shipped in examples/library/benchmark.ts (which CI compiles and runs)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const program = readFileSync(join(examplesDir, 'library/benchmark.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${program}\`\`\``);
  });
});

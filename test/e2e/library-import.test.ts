import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * `import('inferbench')` loads no protocol client, codec, chart or report-page code: those load
 * when a run or a report needs them (the built package, traced by bench/support/module-trace.mjs,
 * as `npm run bench:startup` traces it).
 */
const NEVER_ON_IMPORT = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'ws', 'pngjs', 'jpeg-js', 'undici', 'yaml', 'csv-parse', 'uplot', 'gpt-tokenizer', '@huggingface/tokenizers'];

describe('the library import', () => {
  it('loads no protocol client, codec or report code, and renderHtmlReport loads the report on its first call', () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'inferbench-import-')), 'modules.txt');
    const script = `
      const lib = await import('./dist/index.js');
      // The report loads on the call: an empty list is refused by the report module itself.
      const refused = await lib.renderHtmlReport([]).then(() => 'rendered', (err) => err.message);
      process.stdout.write(JSON.stringify({ exports: Object.keys(lib).length, refused }));`;
    // The trace is written at exit: a first process imports only, a second calls the report.
    const imported = spawnSync(process.execPath, ['--import', './bench/support/module-trace.mjs', '--input-type=module', '-e', "await import('./dist/index.js');"], {
      cwd: REPO_ROOT,
      env: { ...process.env, INFERBENCH_MODULE_TRACE: trace },
      encoding: 'utf8',
    });
    expect(imported.status, imported.stderr).toBe(0);
    const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    const ours = modules.filter((m) => m.includes('/dist/')).map((m) => m.slice(m.lastIndexOf('/dist/') + 6));
    expect(ours).toContain('index.js');
    expect(ours.filter((m) => /^protocols\/[^/]+\/client\.js$/.test(m) || /^report\/(html|chart-|.*-charts)/.test(m))).toEqual([]);
    const packages = new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/[^]*$/.exec(m.slice(m.lastIndexOf('node_modules/')))?.[1] ?? []));
    expect(NEVER_ON_IMPORT.filter((p) => packages.has(p))).toEqual([]);

    const called = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(called.status, called.stderr).toBe(0);
    const out = JSON.parse(called.stdout) as { exports: number; refused: string };
    expect(out.exports).toBeGreaterThan(20);
    expect(out.refused).toBe('renderHtmlReport needs at least one run');
  });
});

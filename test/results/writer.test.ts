import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults, ResultsFileError, resultsFileName, writeResultsAtomic } from '../../src/results/writer.js';
import { recordedResults } from './results-fixture.js';

describe('resultsFileName', () => {
  it('names a file <name>_<YYYYMMDD_HHMMSS>.json in UTC', () => {
    expect(resultsFileName('chat', new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe('chat_20250102_030405.json');
    expect(resultsFileName('../my run/x', new Date(Date.UTC(2025, 11, 31, 23, 59, 59)))).toBe('my_run_x_20251231_235959.json');
  });
});

describe('writeResultsAtomic and readResults', () => {
  it('creates the directory, leaves no temp file, and reads back what it wrote', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'inferbench-')), 'nested', 'out');
    const path = join(dir, 'chat_20250102_030405.json');
    const results = recordedResults();
    await writeResultsAtomic(path, results);
    await writeResultsAtomic(path, results); // overwriting is atomic too
    expect(await readdir(dir)).toEqual(['chat_20250102_030405.json']);
    expect(await readResults(path)).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('names the file and the first problems when a file is not valid results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferbench-'));
    const path = join(dir, 'bad.json');
    const results = JSON.parse(JSON.stringify(recordedResults()));
    results.points[0].measure.counts.sent = 'many';
    delete results.host;
    await writeFile(path, JSON.stringify(results));
    const err = await readResults(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResultsFileError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(/- host: /);
    expect((err as Error).message).toMatch(/- points\.0\.measure\.counts\.sent: /);

    await writeFile(path, '{"schemaVersion": 1,');
    await expect(readResults(path)).rejects.toThrow(`results file ${path} is not valid JSON`);
    await expect(readResults(join(dir, 'missing.json'))).rejects.toThrow(/cannot read results file .*missing\.json/);
    expect(await readFile(path, 'utf8')).toContain('schemaVersion');
  });
});

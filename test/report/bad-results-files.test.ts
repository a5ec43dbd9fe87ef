import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/model/results.js';
import { runCli } from '../helpers/cli.js';
import { recordedResults } from '../results/results-fixture.js';

/**
 * merge, compare and report never print a stack trace: each failure names the file and what is
 * wrong in it, and exits 2. A file whose counts do not add up (sent = completed = ok + failed) is
 * refused, not compared.
 */
let dir: string;
let good: string;
const write = (name: string, r: Results) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(r, null, 2));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inferbench-bad-files-'));
  good = write('good.json', recordedResults());
});

function expectNamedFailure(r: { code: number | null; stderr: string }, ...says: string[]) {
  expect(r.code).toBe(2);
  for (const s of says) expect(r.stderr).toContain(s);
  // No stack trace: no "    at fn (file:line)" frames.
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('bad results files and outputs', () => {
  it('a histogram that is not base64 HDR: compare and report name the file and the metric', async () => {
    const r = recordedResults();
    r.points[0]!.measure.metrics.latency!.histogram = 'not base64!!';
    const bad = write('bad-histogram.json', r);
    expectNamedFailure(await runCli(['compare', good, bad]), bad, 'measure.metrics.latency.histogram: not an HDR histogram');
    expectNamedFailure(await runCli(['report', bad, '--format', 'md']), bad, 'latency.histogram');
  });

  it('counts that do not add up are refused by compare, report and merge', async () => {
    const r = recordedResults();
    r.points[0]!.measure.counts.ok -= 3;
    const bad = write('bad-counts.json', r);
    const says = [bad, 'is inconsistent', `ok ${r.points[0]!.measure.counts.ok} + failed`];
    expectNamedFailure(await runCli(['compare', good, bad]), ...says);
    expectNamedFailure(await runCli(['report', bad, '--format', 'console']), ...says);
    expectNamedFailure(await runCli(['merge', bad, bad, '-o', join(dir, 'merged.json')]), ...says);
  });

  it('an output that cannot be written: report -o names the path and the cause', async () => {
    const out = join(good, 'report.html'); // a path under a file
    expectNamedFailure(await runCli(['report', good, '-o', out]), `cannot write ${out}`);
  });

  it('a file that is not JSON, or not results: merge names each file', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"schemaVersion": 2,');
    const notResults = join(dir, 'other.json');
    writeFileSync(notResults, '{"hello": 1}');
    expectNamedFailure(await runCli(['merge', notJson, notResults, '-o', join(dir, 'm.json')]), `${notJson} is not valid JSON`, `${notResults} is not an inferbench results file`);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { readResults } from '../../src/results/writer.js';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calibration } from '../../src/run/calibrate.js';
import { runCli } from '../helpers/cli.js';
import { startServerThread, type ServerThread } from '../helpers/server-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'inferbench-calibrate-'));
const calibrationPath = join(dir, 'calibration.json');
let server: ServerThread;

beforeAll(async () => {
  server = await startServerThread({ seed: 5 });
});
afterAll(() => server.close());

describe('inferbench calibrate', () => {
  let calibration: Calibration;

  it('measures and saves this machine\'s capacity and the load above which results would be client-bound', async () => {
    const out = await runCli(['calibrate', '--duration', '500ms'], { env: { INFERBENCH_CALIBRATION: calibrationPath } });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/unary +[\d,]+ req\/s/);
    expect(out.stdout).toMatch(/SSE +[\d,]+ content events\/s/);
    expect(out.stdout).toContain('results would be client-bound above, per worker thread');
    calibration = JSON.parse(readFileSync(calibrationPath, 'utf8')) as Calibration;
    expect(calibration.unaryRequestsPerSecond).toBeGreaterThan(0);
    expect(calibration.sseEventsPerSecond).toBeGreaterThan(0);
    expect(calibration.clientBoundAbove.unaryRequestsPerSecond).toBeLessThan(calibration.unaryRequestsPerSecond);
    expect(calibration.openLoopLateMs!.p99).toBeGreaterThanOrEqual(calibration.openLoopLateMs!.p50);
  });

  it('run warns when a scenario asks for more than the calibrated capacity, and uses every core by default', async () => {
    const rate = Math.ceil(calibration.unaryRequestsPerSecond * 10);
    const args = ['run', '--url', `${server.url}/echo`, '--rate', String(rate), '--requests', '20'];
    const out = await runCli([...args, '--out', join(dir, 'many.json')], { env: { INFERBENCH_CALIBRATION: calibrationPath } });
    expect(out.code).toBe(0);
    const results = await readResults(join(dir, 'many.json'));
    expect(results.warnings.join('\n')).toMatch(/planned load \(\d+ req\/s\) is above what \d+ client threads? can send without becoming the limit \(calibrated/);
    expect(results.workers ?? 1).toBe(availableParallelism());
    expect(results.points[0]!.measure.counts.sent).toBe(20);

    await runCli([...args, '--workers', '1', '--out', join(dir, 'one.json')], { env: { INFERBENCH_CALIBRATION: join(dir, 'none.json') } });
    const one = await readResults(join(dir, 'one.json'));
    expect(one.workers).toBeUndefined();
    expect(one.warnings.join('\n')).toContain('estimated; run `inferbench calibrate` to measure this machine');
  });

  it('stays quiet for a load well within capacity', async () => {
    await runCli(['run', '--url', `${server.url}/echo`, '--rate', '5', '--requests', '3', '--out', join(dir, 'few.json')], { env: { INFERBENCH_CALIBRATION: calibrationPath } });
    const results = await readResults(join(dir, 'few.json'));
    expect(results.warnings.filter((w) => w.includes('planned load'))).toEqual([]);
    expect(results.workers).toBeUndefined();
  });
});

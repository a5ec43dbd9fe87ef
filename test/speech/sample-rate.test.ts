import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, serve } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

/** A server speaking 16 kHz PCM: the duration follows the rate the user declares. */
let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 2, ttsSampleRate: 16_000 });
});
afterAll(() => server.close());

describe('PCM speech and its sample rate', () => {
  it('--sample-rate gives the true audio duration; without it the assumed rate is named in a warning', async () => {
    const target = { protocol: 'openai-speech' as const, url: `${server.url}/v1/audio/speech`, response_format: 'pcm' as const, input: 'Hello there.' };
    const declared = await run({ target: { ...target, sample_rate: 16_000 }, load: { requests: 2 }, output: { write: false } });
    const assumed = await run({ target, load: { requests: 2 }, output: { write: false } });
    const seconds = (r: typeof declared) => r.results.points[0]!.measure.metrics.audio_seconds!.summary.mean;
    // The same bytes read at 24 kHz are 2/3 as long.
    expect(seconds(assumed)).toBeCloseTo((seconds(declared) * 16) / 24, 2);
    expect(declared.results.warnings.join('\n')).not.toContain('assumed');
    expect(assumed.results.warnings.join('\n')).toContain('PCM audio carries no sample rate; assumed 24000 Hz');

    const cli = await runCli(['run', '--url', `${server.url}/v1/audio/speech`, '--response-format', 'pcm', '--sample-rate', '16000', '--input', 'Hello there.', '-n', '1', '--json', '--no-write']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).scenario.target.sample_rate).toBe(16_000);
  });
});

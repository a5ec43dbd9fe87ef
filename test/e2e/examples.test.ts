import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveScenario } from '../../src/scenario/load-scenario.js';
import { resolveScenarioPaths } from '../../src/scenario/paths.js';
import { run } from '../../src/run/runner.js';
import { serve, type ReferenceServer } from '../../src/server/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import Ajv2020Module from 'ajv/dist/2020.js';

// ajv is CommonJS: under NodeNext its class is the module's `default` property.
const Ajv2020 = Ajv2020Module.default;
const validateScenario = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/scenario.schema.json'), 'utf8')));

/** Every scenario under examples/, in every folder (tts-espeak, local-model, ...); not a tokenizer.json an example writes (llama-cpp). */
const examplesDir = join(REPO_ROOT, 'examples');
function scenarioFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return scenarioFiles(path);
    return /\.(ya?ml|json)$/.test(name) && !/^(package(-lock)?|tokenizer)\.json$/.test(name) ? [path] : [];
  });
}
const files = scenarioFiles(examplesDir).map((f) => relative(examplesDir, f));

const read = (file: string): Record<string, unknown> => {
  const path = join(examplesDir, file);
  const text = readFileSync(path, 'utf8');
  return resolveScenarioPaths((file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>, dirname(path));
};

let server: ReferenceServer;
beforeAll(async () => {
  server = await serve({ seed: 11, ttftMs: 5, itlMs: 1, outputTokens: 8, echoDelayMs: '1ms', ttsRealTimeFactor: 0.02, ttsMsPerWord: 40 });
});
afterAll(() => server?.close());

/**
 * The example as written, pointed at the reference server and made short: every loopback origin
 * becomes the server's, counts and durations shrink to a few requests, warmups to one request,
 * cooldowns to none. Everything else (templates, datasets, steps, protocols) runs as written.
 */
function shortened(raw: Record<string, unknown>): Record<string, unknown> {
  const s = structuredClone(raw) as Record<string, any>;
  const ws = server.url.replace(/^http/, 'ws');
  const retarget = (t: Record<string, any> | undefined) => {
    if (t && typeof t.url === 'string') t.url = t.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, server.url).replace(/^ws:\/\/127\.0\.0\.1:\d+/, ws);
  };
  const shorten = (load: Record<string, any> | undefined) => {
    if (!load) return;
    delete load.duration;
    if (load.stages) load.stages = [{ duration: '300ms', ...(load.stages[0].rate !== undefined ? { rate: 20 } : { concurrency: 2 }) }];
    else if (load.requests !== undefined || !load.spawn_rate) load.requests = Math.min(load.requests ?? 3, 3);
    if (load.concurrency !== undefined) load.concurrency = Math.min(load.concurrency, 4);
  };
  const shortPhases = (phases: Record<string, any> | undefined) => {
    if (!phases) return;
    if (phases.warmup) phases.warmup = { ...(phases.warmup.sequential ? { sequential: true } : {}), requests: 1 };
    if (phases.cooldown !== undefined) phases.cooldown = 0;
  };
  retarget(s.target);
  s.load ??= {};
  s.phases ??= { warmup: { requests: 1 } };
  shorten(s.load);
  shortPhases(s.phases);
  for (const step of s.steps ?? []) {
    retarget(step.target);
    shorten(step.load);
    shortPhases(step.phases);
  }
  for (const point of s.sweep?.points ?? []) retarget(point.target);
  s.output = { ...s.output, write: false };
  delete s.monitor;
  return s;
}

describe('examples/', () => {
  it('covers every folder', () => {
    expect(files).toEqual(expect.arrayContaining(['rest-fit-predict.yaml', 'tts-espeak/scenario.yaml', 'local-model/frames.yaml']));
  });

  it.each(files)('%s is a valid scenario, by the checked-in JSON Schema and by inferbench', (file) => {
    const text = readFileSync(join(examplesDir, file), 'utf8');
    const raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    expect(validateScenario(raw), JSON.stringify(validateScenario.errors)).toBe(true);
    expect(() => resolveScenario(read(file), {})).not.toThrow();
  });

  it.each(files)('%s runs against the reference server without a failed request', async (file) => {
    // local-model's TensorFlow.js is that example's own dependency: CI installs it (.ci/run); a clone without it skips that one run.
    if (file.startsWith('local-model/') && !existsSync(join(examplesDir, 'local-model/node_modules/@tensorflow/tfjs-core'))) {
      if (process.env.CI) throw new Error('examples/local-model has no node_modules: .ci/run must run npm ci there');
      return;
    }
    const { results } = await run(resolveScenario(shortened(read(file)), { BASE_URL: server.url }));
    expect(results.points.length).toBeGreaterThan(0);
    for (const p of results.points) {
      expect(p.measure.counts.failed, `${p.label}: ${p.measure.counts.errors.map((e) => e.message).join('; ')}`).toBe(0);
      expect(p.measure.counts.ok).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('the library example', () => {
  it('is in the README exactly as shipped in examples/library/benchmark.ts (which CI compiles and runs)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const program = readFileSync(join(examplesDir, 'library/benchmark.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${program}\`\`\``);
  });
});

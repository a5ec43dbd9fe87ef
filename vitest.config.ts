import { defineConfig } from 'vitest/config';

/**
 * Tests that hold measured timings to ground truth, a schedule or the client's own health run
 * one file at a time after everything else: on a 2-core machine, other test files beside them
 * would measure CPU contention instead. Everything else (config checks, reports, merges, the
 * CLI's output, fault and fuzz suites: correctness that never depends on timing) runs two
 * files at a time first.
 */
const TIMING = [
  'test/e2e/capacity.test.ts',
  'test/e2e/llm-sweep.test.ts',
  'test/e2e/openai-ground-truth.test.ts',
  'test/e2e/run-behaviour.test.ts',
  'test/e2e/speech-ground-truth.test.ts',
  'test/examples/llama-cpp.test.ts',
  'test/examples/onnxruntime.test.ts',
  'test/grpc/batch-sweep.test.ts',
  'test/grpc/grpc-ground-truth.test.ts',
  'test/local/local.test.ts',
  'test/local/overhead.test.ts',
  'test/measure/text-family.test.ts',
  'test/monitor/client-bound.test.ts',
  'test/protocols/family.test.ts',
  'test/protocols/gradio.test.ts',
  'test/scale/calibrate.test.ts',
  'test/server/openai.test.ts',
  'test/websocket/websocket.test.ts',
];

export default defineConfig({
  test: {
    // Builds dist/ when the sources changed: tests spawn the built CLI, not tsx (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'correctness', include: ['test/**/*.test.ts'], exclude: TIMING, maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, isolate: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});

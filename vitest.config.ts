import { defineConfig } from 'vitest/config';

/**
 * Tests that hold measured timings to ground truth, a schedule or the client's own health run
 * after everything else: on a 2-core machine, CPU-heavy test files beside them would measure
 * contention instead. Everything else (config checks, reports, merges, the CLI's output, fault
 * and fuzz suites: correctness that never depends on timing) runs two files at a time first.
 *
 * TRUTH: accuracy against a server's own stamps, each bound widened by what the client and the
 * stamping server thread measured of their own lateness in that run (test/helpers/lateness.ts),
 * so two of them run side by side.
 * MACHINE: what measures the machine itself (a knee, a client's capacity, its health verdict, a
 * schedule's rate, the overhead of in-process calls), or pins processes to cores: one file at a
 * time, last.
 */
const TRUTH = [
  'test/e2e/openai-ground-truth.test.ts',
  'test/e2e/speech-ground-truth.test.ts',
  'test/grpc/batch-sweep.test.ts',
  'test/grpc/grpc-ground-truth.test.ts',
  'test/local/local.test.ts',
  'test/protocols/family.test.ts',
  'test/protocols/gradio.test.ts',
  'test/report/compare.test.ts',
  'test/server/openai.test.ts',
  'test/websocket/websocket.test.ts',
];
const MACHINE = [
  'test/e2e/capacity.test.ts',
  'test/e2e/llm-sweep.test.ts',
  'test/e2e/run-behaviour.test.ts',
  'test/examples/llama-cpp.test.ts',
  'test/examples/onnxruntime.test.ts',
  'test/local/overhead.test.ts',
  'test/measure/text-family.test.ts',
  'test/monitor/client-bound.test.ts',
  'test/scale/calibrate.test.ts',
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
        test: { name: 'correctness', include: ['test/**/*.test.ts'], exclude: [...TRUTH, ...MACHINE], maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'truth', include: TRUTH, maxWorkers: 2, isolate: false, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'machine', include: MACHINE, fileParallelism: false, isolate: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});

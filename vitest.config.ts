import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when the sources changed: tests spawn the built CLI, not tsx (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Timing tests assert against ground truth within milliseconds; on a 2-core
    // machine, running many files at once would measure CPU contention instead.
    fileParallelism: false,
  },
});

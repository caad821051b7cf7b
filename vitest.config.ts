import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/live/**', 'node_modules/**'],
    // Generous: the suite must pass on a two-core machine whose cores another process keeps busy,
    // where one spawn of the CLI can take seconds; a hang is still caught.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // e2e tests spawn the real binary; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});

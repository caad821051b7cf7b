import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/live/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn the real binary; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});

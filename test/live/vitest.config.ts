// Config for the live tests only (never run by `npm test` or CI):
//   KOLEGA_LIVE=1 npx vitest run -c test/live/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/live/**/*.test.ts'], testTimeout: 180_000, pool: 'forks', maxWorkers: 1 },
});

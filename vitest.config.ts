import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: the CLI tests spawn processes, the property tests are CPU-bound.
    pool: 'forks',
    maxWorkers: 2,
  },
});

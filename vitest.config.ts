import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Registers vial's own matchers (vial/matchers) for every test file.
    setupFiles: ['test/support/vitest.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

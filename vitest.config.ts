import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The CLI tests spawn ./bin/seal, which runs the compiled dist/: build once first.
    globalSetup: ['test/global-setup.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Vitest's default on two cores is one worker, and most of these tests wait on child
    // processes, sockets and the store rather than compute: three files at a time nearly halve
    // the run (measured on the 2-core machine: README).
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The CLI tests spawn ./bin/seal, which runs the compiled dist/: build once first.
    globalSetup: ['test/global-setup.ts'],
  },
});

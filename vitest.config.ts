import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Vitest's default on two cores is one worker. Two files at a time: the run takes about two
    // thirds of the time. A third worker gained little more (the tests' child processes already
    // fill both cores) and made slow steps slower still, so the bound below is for a loaded machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The CLI tests spawn ./bin/seal, which runs the compiled dist/: build once first.
    globalSetup: ['test/global-setup.ts'],
  },
});

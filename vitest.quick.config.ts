// `npm run test:quick`: the unit and contract tests (config, runner, guard policy, store on PGlite
// and Postgres, notifiers against their fakes, the board's pages in process), without Chromium
// and without the tests that start many child processes. Under a minute on two cores; `npm test`
// runs everything.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    // Vitest's default on two cores is one worker; these tests mostly wait on sockets and the store.
    maxWorkers: 3,
    include: ['src/**/*.test.ts'],
    exclude: [
      'src/checks/browser/**', // real Chromium
      'src/checks/playwright/**', // Chromium and npx playwright
      'src/checks/exec/**', // probes in the network sandbox
      'src/guard/client-env.test.ts', // curl, wget, Python, git, Go, npm through the guard
      'src/guard/node-preload.test.ts', // Node 20, 22 and 24 processes
      'src/guard/sandbox.test.ts', // network namespaces
      'src/store/store-template.test.ts', // initdb of a fresh template
    ],
  },
});

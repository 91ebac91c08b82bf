/** Check kinds register here, one line each: the runner looks executors up by kind. */
import type { CheckKind } from '../config/schema.js';
import type { CheckSpec } from '../config/types.js';
import type { AttemptOutcome } from '../runner/run-result.js';
import { runHttpCheck } from './http/http-check.js';
import { runTlsCheck } from './tls/tls-check.js';
import type { CheckContext, RunResources } from './types.js';

/**
 * Work a kind needs before an attempt's clock starts (the run's browser launch, its guard, the
 * sandbox probe), so no check's timeout, nor its `duration_ms`, pays for it (the first two
 * browser checks of a run reported Chromium's launch, ~0.5 s, as their own). A throw here is
 * the check's `error`.
 */
export const PREPARE: Partial<Record<CheckKind, (resources: RunResources) => Promise<unknown>>> = {
  browser: (resources) => Promise.all([resources.browser.browser(), resources.guard()]),
  playwright: (resources) => Promise.all([resources.guard(), resources.sandboxUnavailable()]),
  exec: (resources) => Promise.all([resources.guard(), resources.sandboxUnavailable()]),
};

/** Every check kind's executor. */
export const EXECUTORS = {
  http: (spec, context) => runHttpCheck(spec as Extract<CheckSpec, { kind: 'http' }>, context),
  tls: (spec, context) => runTlsCheck(spec as Extract<CheckSpec, { kind: 'tls' }>, context),
  browser: async (spec, context) => {
    const { runBrowserCheck } = await import('./browser/browser-check.js');
    return runBrowserCheck(spec as Extract<CheckSpec, { kind: 'browser' }>, context);
  },
  playwright: async (spec, context) => {
    const { runPlaywrightCheck } = await import('./playwright/playwright-check.js');
    return runPlaywrightCheck(spec as Extract<CheckSpec, { kind: 'playwright' }>, context);
  },
  exec: async (spec, context) => {
    const { runExecCheck } = await import('./exec/exec-check.js');
    return runExecCheck(spec as Extract<CheckSpec, { kind: 'exec' }>, context);
  },
} satisfies Record<CheckKind, (spec: CheckSpec, context: CheckContext) => Promise<AttemptOutcome>>;

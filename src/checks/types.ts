/** The interface every check kind implements: a spec and a context in, one attempt's outcome out. */
import type { AppConfig, CheckSpec } from '../config/types.js';
import type { AttemptOutcome } from '../runner/run-result.js';
import type { RunGuard } from '../guard/guard.js';
import type { BrowserSession } from './browser/browser-session.js';

/** What a run shares between its checks: one browser, one guard, one evidence folder. */
export interface RunResources {
  readonly browser: BrowserSession;
  /** Where screenshots and traces of this run go (created on first write). */
  readonly evidenceDir: string;
  /** Environment for browsers and child processes. */
  readonly env: NodeJS.ProcessEnv;
  /** The run's read-only guard, started on first use and shared by every check of the run (a channel each). */
  readonly guard: () => Promise<RunGuard>;
  /** Why the network sandbox cannot be used on this machine, or null when it can (found out once). */
  readonly sandboxUnavailable: () => Promise<string | null>;
}

/** What the runner hands an executor for one attempt. */
export interface CheckContext {
  readonly app: AppConfig;
  /** Aborts on the attempt's timeout or the run's deadline; executors must stop promptly. */
  readonly signal: AbortSignal;
  /** The clock, injected so date-dependent checks (certificate expiry) are testable. */
  readonly now: () => Date;
  /** Redacts a text before an executor shortens it (a cut secret would no longer be found). */
  readonly redact: (text: string) => string;
  readonly resources: RunResources;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
}

/** Runs one attempt. A misbehaving production is an outcome, never an exception. */
export type CheckExecutor<S extends CheckSpec = CheckSpec> = (spec: S, context: CheckContext) => Promise<AttemptOutcome>;

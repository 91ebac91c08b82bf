/** Runner events; reporters subscribe to them and never fork the runner's logic. */
import type { AppConfig, CheckSpec } from '../config/types.js';
import type { CheckResult, RunResult } from './run-result.js';

/** Subscribes to a run; every method is optional and must not throw. */
export interface RunListener {
  onRunStart?(app: AppConfig, checks: readonly CheckSpec[]): void;
  onCheckStart?(check: CheckSpec): void;
  onCheckFinish?(result: CheckResult): void;
  onRunFinish?(result: RunResult): void;
}

/** Runner events; reporters subscribe to them and never fork the runner's logic. */
import type { CheckKind } from '../config/schema.js';
import type { CheckResult, RunResult } from './run-result.js';

/** A check as listeners see it before it has a result: no spec, so no headers or secrets. */
export interface CheckRef {
  readonly name: string;
  readonly kind: CheckKind;
}

/** What a listener learns when a run starts; `base_url` is already redacted. */
export interface RunStart {
  readonly app: string;
  readonly base_url: string;
  readonly checks: readonly CheckRef[];
}

/** Subscribes to a run; every method is optional and must not throw. */
export interface RunListener {
  onRunStart?(run: RunStart): void;
  onCheckStart?(check: CheckRef): void;
  onCheckFinish?(result: CheckResult): void;
  onRunFinish?(result: RunResult): void;
}

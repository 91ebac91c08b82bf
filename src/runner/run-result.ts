/** The run result: plain data, the contract every reporter, store and notifier reads. */
import type { CheckKind } from '../config/schema.js';

/** How one check ended. `failed`: production misbehaved; `error`: the checker could not run. */
export type CheckStatus = 'passed' | 'failed' | 'flaky' | 'error' | 'skipped';
/** The seal: green, red, or error (could not verify). */
export type Verdict = 'green' | 'red' | 'error';

/** One condition with its readable label (`status == 200`) beside expected and actual values. */
export interface Assertion {
  readonly label: string;
  readonly ok: boolean;
  readonly expected: unknown;
  readonly actual: unknown;
  /** One line saying what went wrong, set when the assertion failed. */
  readonly message?: string;
}

/** One check in the run result. */
export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly status: CheckStatus;
  readonly duration_ms: number;
  readonly attempts: number;
  readonly assertions: readonly Assertion[];
  readonly error: string | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  /**
   * The writes the read-only guard answered for this check (for a spec, this test). Every run
   * sets it; seals stored before it existed lack it (read it with `blockedOf`).
   */
  readonly blocked_requests?: readonly BlockedRequest[];
}

/** A write the read-only guard stopped before it left the machine. */
export interface BlockedRequest {
  /** The check (for a spec, the test's check) that made it. */
  readonly check: string;
  readonly method: string;
  readonly url: string;
  /** Why it counts as a write when its method alone does not say (`GET with x-http-method-override: DELETE`, a GraphQL mutation). */
  readonly reason?: string;
  /** For a spec: the test's title and where it is (`e2e/login.spec.ts:12`). */
  readonly test?: string;
  readonly location?: string;
}

/** The writes blocked for one check ([] for seals stored before checks carried them). */
export function blockedOf(check: CheckResult): readonly BlockedRequest[] {
  return check.blocked_requests ?? [];
}

/** "1 write blocked", "3 writes blocked". */
export function describeBlocked(count: number): string {
  return `${count} write${count === 1 ? '' : 's'} blocked`;
}

/** The release being sealed, as far as it is known. */
export interface ReleaseInfo {
  readonly version: string | null;
  readonly sha: string | null;
  readonly merge_sha: string | null;
  readonly previous_version?: string | null;
}

/** The whole run: `seal smoke --json` prints exactly this. */
export interface RunResult {
  /** Unique id of this run (the persisted seal refers to it). */
  readonly run_id: string;
  readonly app: string;
  readonly base_url: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly duration_ms: number;
  readonly release: ReleaseInfo | null;
  readonly checks: readonly CheckResult[];
  readonly blocked_requests: readonly BlockedRequest[];
  /** The exact rollback command, or null when the template needs a value nobody gave. */
  readonly rollback: string | null;
  /**
   * On a seal server: the command a reporter sent for an app the server has no template of. Shown
   * as text, with the name of the token that sent it; never offered as a command to copy, never
   * told to the notifiers.
   */
  readonly reported_rollback?: { readonly command: string; readonly token: string } | null;
  /** Problems around the verdict that did not change it (store down, rollback incomplete, …). */
  readonly warnings: readonly string[];
  /** Folder holding this run's screenshots and traces, or null when none were written. */
  readonly evidence_dir: string | null;
  /**
   * Every file in the evidence folder as the run left it (redacted), with its SHA-256, so that
   * `seal audit verify` can tell a file changed since. Runs recorded before it existed lack it.
   */
  readonly evidence_files?: readonly EvidenceFileHash[];
  /** Where the run was made from (a seal worker's `--location`), when its app names locations. */
  readonly location?: string | null;
  /** The located seal this run is one location's part of (its run id): in the seal history, never the release's seal on its own. */
  readonly part_of?: string | null;
  /** A seal made from several locations: each location's verdict and summary (its checks are in `checks`, named `<location>: <check>`). */
  readonly locations?: readonly { readonly location: string; readonly run_id: string | null; readonly verdict: Verdict; readonly summary: string }[];
  /** A soak seal: the same release sealed again this long after its first seal (`10m`). */
  readonly soak?: string | null;
}

/** One evidence file of a run: its path inside the run's evidence folder (with `/`), SHA-256 and size. */
export interface EvidenceFileHash {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** What one attempt of a check produced, before retries are folded in. */
export interface AttemptOutcome {
  readonly outcome: 'passed' | 'failed' | 'error';
  readonly assertions: readonly Assertion[];
  readonly error: string | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Writes the read-only guard stopped during this attempt. */
  readonly blocked?: readonly BlockedRequest[];
  /** Results that replace this check in the run result (a spec: one per test), each with its own blocked writes. */
  readonly expand?: readonly CheckResult[];
  /** Problems around the check that belong on the run (the network sandbox was unavailable). */
  readonly warnings?: readonly string[];
}

/** The run result with one more warning (results are never mutated). */
export function withWarning(result: RunResult, warning: string): RunResult {
  return { ...result, warnings: [...result.warnings, warning] };
}

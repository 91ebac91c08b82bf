/**
 * What every notifier says about a seal, built once from the run: the same labels the terminal
 * and the board show (`status == 404`), the rollback command on red, the link to the board.
 * Pure: the payload builders turn it into Discord, Slack or webhook bodies.
 */
import { isRollbackWarning } from '../runner/rollback.js';
import { blockedOf, describeBlocked, type CheckResult, type RunResult, type Verdict } from '../runner/run-result.js';

/** One check's line: ✅/❌ with its name and the labels of its failed (or all) assertions. */
export interface CheckLine {
  readonly ok: boolean;
  readonly status: CheckResult['status'];
  readonly name: string;
  /** `status == 404` or, on failure, what went wrong (`status 200, expected 404`); ends with `· 1 write blocked` when the guard answered any. */
  readonly detail: string;
  /** Writes the read-only guard answered for this check. */
  readonly blockedWrites: number;
}

/** A seal as notifiers tell it. */
export interface SealMessage {
  readonly app: string;
  readonly version: string | null;
  readonly sha: string | null;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly checkedAt: string;
  readonly checks: readonly CheckLine[];
  readonly blockedWrites: number;
  /** The exact command on red; null when not red or when it cannot be completed. */
  readonly rollback: string | null;
  /** Why the rollback command is missing on red (what value nobody gave). */
  readonly rollbackMissing: string | null;
  /** The release on the board, when the board's address is known. */
  readonly boardUrl: string | null;
  readonly runId: string;
}

/** Builds the message; `boardBase` is the board's address (no trailing slash) or null. */
export function buildSealMessage(result: RunResult, boardBase: string | null): SealMessage {
  const version = result.release?.version ?? null;
  return {
    app: result.app,
    version,
    sha: result.release?.sha ?? null,
    verdict: result.verdict,
    summary: result.summary,
    checkedAt: result.finished_at,
    checks: result.checks.map(checkLine),
    blockedWrites: result.blocked_requests.length,
    rollback: result.verdict === 'red' ? result.rollback : null,
    rollbackMissing: result.verdict === 'red' && !result.rollback ? (result.warnings.find(isRollbackWarning) ?? 'the rollback command could not be completed') : null,
    boardUrl: boardBase && version ? `${boardBase}/releases/${encodeURIComponent(result.app)}/${encodeURIComponent(version)}` : null,
    runId: result.run_id,
  };
}

function checkLine(check: CheckResult): CheckLine {
  const ok = check.status === 'passed' || check.status === 'flaky' || check.status === 'skipped';
  const failed = check.assertions.filter((a) => !a.ok);
  const writes = blockedOf(check).length;
  // The guard's part comes first: a long failure message is cut at its end, never this.
  const guarded = writes > 0 ? `${describeBlocked(writes)} · ` : '';
  const detail = ok
    ? check.assertions.map((a) => a.label).join(', ') || check.status
    : (failed.map((a) => a.message ?? `${a.label} failed`).join('; ') || check.error || check.status);
  return { ok, status: check.status, name: check.name, detail: `${guarded}${detail}`, blockedWrites: writes };
}

/** The verdict's emoji and word, as everywhere else. */
export const VERDICT_LABEL: Record<Verdict, string> = { green: '🟢 green', red: '🔴 red', error: '⚪ error' };

/**
 * Cuts text to `max` UTF-16 units (the stricter count: an emoji is two), ending with "…" when
 * cut, and never between the halves of a surrogate pair.
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Production text on one line: control characters and runs of whitespace become one space, cut to `max`. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return cut(text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim(), max);
}

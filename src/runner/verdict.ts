/** Pure decisions over a run's checks: the verdict and the one-line summary. */
import type { CheckResult, Verdict } from './run-result.js';

/**
 * Red if any check failed, else error if any errored (or nothing was verified), else green.
 * A write blocked under `on_write: fail` fails its own check, so it is red through that.
 */
export function decideVerdict(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.status === 'failed')) return 'red';
  if (checks.some((c) => c.status === 'error')) return 'error';
  if (checks.every((c) => c.status === 'skipped')) return 'error';
  return 'green';
}

const SHOWN_PROBLEMS = 3;

/** `6/7 passed; 'devops hidden' failed: status 200, expected 404` */
export function summarize(checks: readonly CheckResult[]): string {
  const counted = checks.filter((c) => c.status !== 'skipped');
  const passed = counted.filter((c) => c.status === 'passed' || c.status === 'flaky');
  const flaky = counted.filter((c) => c.status === 'flaky');
  const skipped = checks.length - counted.length;
  if (counted.length === 0) return checks.length === 0 ? 'no checks to run' : `all ${skipped} checks skipped: nothing was verified`;
  const notes = [flaky.length > 0 ? `${flaky.length} flaky: ${flaky.map((c) => `'${c.name}'`).join(', ')}` : '', skipped > 0 ? `${skipped} skipped` : ''].filter(Boolean);
  let text = `${passed.length}/${counted.length} passed${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
  const problems = counted.filter((c) => c.status === 'failed' || c.status === 'error');
  for (const check of problems.slice(0, SHOWN_PROBLEMS)) {
    text += `; '${check.name}' ${check.status === 'failed' ? 'failed' : 'errored'}: ${describeProblem(check)}`;
  }
  if (problems.length > SHOWN_PROBLEMS) text += `; and ${problems.length - SHOWN_PROBLEMS} more`;
  return text;
}

/** The first reason a check did not pass, in one line. */
export function describeProblem(check: CheckResult): string {
  const failed = check.assertions.filter((a) => !a.ok);
  if (failed.length > 0) return failed.map((a) => a.message ?? a.label).join(', ');
  return check.error ?? check.status;
}

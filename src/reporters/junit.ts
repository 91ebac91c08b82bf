/** `--junit PATH`: one testcase per check, for CI systems that render JUnit XML. */
import { create } from 'xmlbuilder2';
import { blockedOf, describeBlocked, type RunResult } from '../runner/run-result.js';
import { describeProblem } from '../runner/verdict.js';

/** Renders the run result as JUnit XML (one testsuite per run, one testcase per check). */
export function renderJunit(result: RunResult): string {
  const count = (status: string): number => result.checks.filter((c) => c.status === status).length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const totals = {
    tests: result.checks.length,
    failures: count('failed'),
    errors: count('error'),
    skipped: count('skipped'),
    time: seconds(result.duration_ms),
  };
  // Production text can hold characters XML 1.0 forbids; they are replaced, not fatal.
  const root = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' }).ele('testsuites', { name: 'smoke-seal', ...totals });
  const suite = root.ele('testsuite', { name: result.app, timestamp: result.started_at, ...totals });
  const properties = suite.ele('properties');
  const props: Record<string, string | null | undefined> = {
    verdict: result.verdict,
    summary: result.summary,
    base_url: result.base_url,
    release: result.release?.version,
    sha: result.release?.sha,
    rollback: result.rollback,
  };
  for (const [name, value] of Object.entries(props)) if (value) properties.ele('property', { name, value });

  for (const check of result.checks) {
    const testcase = suite.ele('testcase', { classname: `${result.app}.${check.kind}`, name: check.name, time: seconds(check.duration_ms) });
    const blocked = blockedOf(check);
    if (blocked.length > 0) {
      const listed = testcase.ele('properties');
      listed.ele('property', { name: 'blocked_writes', value: String(blocked.length) });
      for (const b of blocked) listed.ele('property', { name: 'blocked_write', value: `${b.method} ${b.url}` });
    }
    const guarded = blocked.length > 0 ? [`${describeBlocked(blocked.length)} (answered by the read-only guard, never sent to production): ${blocked.map((b) => `${b.method} ${b.url}`).join(', ')}`] : [];
    const lines = [...guarded, ...check.assertions.map((a) => `${a.ok ? 'ok  ' : 'FAIL'} ${a.label}${a.ok ? '' : ` (actual: ${JSON.stringify(a.actual)})`}`)];
    if (check.status === 'failed') testcase.ele('failure', { message: describeProblem(check), type: 'assertion' }).txt([check.error, ...lines].filter(Boolean).join('\n'));
    if (check.status === 'error') testcase.ele('error', { message: describeProblem(check), type: 'checker' }).txt(check.error ?? '');
    if (check.status === 'skipped') testcase.ele('skipped', { message: check.error ?? 'skipped' });
    const out = [check.status === 'flaky' ? `flaky: passed on attempt ${check.attempts}` : '', ...(check.status === 'failed' ? [] : lines)].filter(Boolean);
    if (out.length > 0) testcase.ele('system-out').txt(out.join('\n'));
  }
  return root.end({ prettyPrint: true });
}

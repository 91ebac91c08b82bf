import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from './run-result.js';
import { decideVerdict, summarize } from './verdict.js';

const check = (name: string, status: CheckStatus, message?: string): CheckResult => ({
  name, kind: 'http', status, duration_ms: 1, attempts: 1, error: status === 'error' ? 'no browser' : null, evidence: {},
  assertions: message ? [{ label: 'x', ok: false, expected: 1, actual: 2, message }] : [],
});

describe('the verdict', () => {
  it.each([
    ['all passed', ['passed', 'passed'], 'green'],
    ['flaky counts as passed', ['passed', 'flaky'], 'green'],
    ['any failure is red', ['passed', 'failed'], 'red'],
    ['failure beats error', ['error', 'failed'], 'red'],
    ['error without failure', ['passed', 'error'], 'error'],
    ['skipped alongside a pass', ['passed', 'skipped'], 'green'],
    ['everything skipped verifies nothing', ['skipped'], 'error'],
    ['no checks verifies nothing', [], 'error'],
  ] as [string, CheckStatus[], string][])('%s', (_name, statuses, verdict) => {
    expect(decideVerdict(statuses.map((s, i) => check(`c${i}`, s)))).toBe(verdict);
  });
});

describe('the summary', () => {
  it('names the failing check and why, like the contract example', () => {
    const checks = [...Array.from({ length: 6 }, (_, i) => check(`c${i}`, 'passed')), check('devops hidden', 'failed', 'status 200, expected 404')];
    expect(summarize(checks)).toBe("6/7 passed; 'devops hidden' failed: status 200, expected 404");
  });

  it('lists at most three problems and counts the rest', () => {
    const checks = ['a', 'b', 'c', 'd', 'e'].map((n) => check(n, 'failed', `${n} broke`));
    expect(summarize(checks)).toBe("0/5 passed; 'a' failed: a broke; 'b' failed: b broke; 'c' failed: c broke; and 2 more");
  });

  it('says when a check errored rather than failed', () => {
    expect(summarize([check('page', 'error')])).toBe("0/1 passed; 'page' errored: no browser");
  });
});

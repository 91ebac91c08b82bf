/** Run results for tests, shaped as `seal smoke --json` prints them. */
import { randomUUID } from 'node:crypto';
import type { CheckResult, RunResult } from '../../src/runner/run-result.js';

/** A run result as `seal smoke --json` prints it. */
export function runResult(app: string, overrides: Partial<RunResult> = {}, checks: Partial<CheckResult>[] = [{}]): RunResult {
  const finished = overrides.finished_at ?? new Date().toISOString();
  return {
    run_id: randomUUID(),
    app,
    base_url: 'https://studio.example.com',
    verdict: 'green',
    summary: `${checks.length}/${checks.length} passed`,
    started_at: new Date(Date.parse(finished) - 1000).toISOString(),
    finished_at: finished,
    duration_ms: 1000,
    release: null,
    checks: checks.map((c, i) => ({ name: `check ${i}`, kind: 'http', status: 'passed', duration_ms: 12, attempts: 1, assertions: [], error: null, evidence: {}, ...c })),
    blocked_requests: [],
    rollback: null,
    warnings: [],
    evidence_dir: null,
    ...overrides,
  };
}


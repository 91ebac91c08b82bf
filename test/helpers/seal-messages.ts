/** Seal messages for the notifier tests. */
import { buildSealMessage, type SealMessage } from '../../src/notify/message.js';
import type { RunResult } from '../../src/runner/run-result.js';
import { runResult } from './run-results.js';

/** A red run of studio v3.3.0 with a failed 'devops hidden' check, a write blocked on 'up', and its rollback command. */
export function redRun(overrides: Partial<RunResult> = {}, extraChecks = 0): RunResult {
  return runResult(
    'studio',
    { verdict: 'red', summary: "1/2 passed; 'devops hidden' failed: status 200, expected 404", release: { version: 'v3.3.0', sha: 'abc1234', merge_sha: 'cafe123' }, rollback: 'git revert -m 1 cafe123', blocked_requests: [{ check: 'up', method: 'POST', url: 'https://studio.example.com/collect' }], ...overrides },
    [
      { name: 'up', assertions: [{ label: 'status == 200', ok: true, expected: 200, actual: 200 }], blocked_requests: [{ check: 'up', method: 'POST', url: 'https://studio.example.com/collect' }] },
      { name: 'devops hidden', status: 'failed', assertions: [{ label: 'status == 404', ok: false, expected: 404, actual: 200, message: 'status 200, expected 404' }] },
      ...Array.from({ length: extraChecks }, (_, i) => ({ name: `extra check ${i} ${'x'.repeat(80)}`, assertions: [{ label: `status == 200 ${'y'.repeat(60)}`, ok: true, expected: 200, actual: 200 }] })),
    ],
  );
}

/** The message of `redRun`, linked to a board. */
export function redMessage(overrides: Partial<RunResult> = {}, extraChecks = 0): SealMessage {
  return buildSealMessage(redRun(overrides, extraChecks), 'https://seal.example.com');
}

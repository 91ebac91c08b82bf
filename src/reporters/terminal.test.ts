import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../runner/run-result.js';
import { displayWidth } from './columns.js';
import { createPainter } from './style.js';
import { createTerminalReporter, renderTable } from './terminal.js';

const result: RunResult = {
  run_id: 'r1', evidence_dir: null, app: 'studio', base_url: 'https://studio.example.com', verdict: 'red', summary: "0/1 passed; 'up' failed: status 500, expected 200",
  started_at: '', finished_at: '', duration_ms: 5, release: { version: 'v1', sha: null, merge_sha: 'm1' }, rollback: 'git revert -m 1 m1', warnings: ['store down'],
  blocked_requests: [{ check: 'home', method: 'POST', url: 'https://studio.example.com/collect' }],
  checks: [{ name: 'up', kind: 'http', status: 'failed', duration_ms: 4, attempts: 1, error: null, evidence: {}, assertions: [{ label: 'status == 200', ok: false, expected: 200, actual: 500, message: 'status 500, expected 200' }] }],
};
const spec = { name: 'up', kind: 'http' } as const;

function capture(options: { interactive: boolean; color: boolean }): string {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const reporter = createTerminalReporter({ stream, ...options });
  reporter.onRunStart?.({ app: 'studio', base_url: 'https://studio.example.com', checks: [spec] });
  reporter.onCheckStart?.(spec);
  reporter.onCheckFinish?.(result.checks[0] as never);
  reporter.onRunFinish?.(result);
  return out;
}

describe('the terminal reporter', () => {
  it('writes no escape codes when the stream is not a terminal', () => {
    const out = capture({ interactive: false, color: false });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('✗ up  4 ms  status 500, expected 200');
    expect(out).toContain("Seal: 🔴 red  studio v1: 0/1 passed; 'up' failed: status 500, expected 200");
    expect(out).toContain('warning: store down');
    expect(out).toContain('    git revert -m 1 m1');
    expect(out).toContain('Blocked 1 write (answered locally, never sent to production):\n  POST https://studio.example.com/collect  (home)');
    expect(out).toMatch(/STATUS\s+CHECK\s+KIND\s+TIME\s+TRIES\s+DETAIL\nfailed\s+up\s+http\s+4 ms\s+1\s+status 500, expected 200/);
  });

  it('keeps the summary table aligned when a check name holds wide characters (emoji, CJK)', () => {
    const wide: RunResult = {
      ...result,
      checks: [
        { ...(result.checks[0] as RunResult['checks'][number]), name: '🛒 カート' },
        { ...(result.checks[0] as RunResult['checks'][number]), name: 'plain' },
      ],
    };
    const table = renderTable(wide, createPainter(false));
    const [header = '', ...rows] = table.split('\n');
    for (const row of rows) expect(displayWidth(row.slice(0, row.indexOf('http'))), row).toBe(header.indexOf('KIND'));
  });

  it('draws live progress and colour on a colour terminal', () => {
    const out = capture({ interactive: true, color: true });
    expect(out).toContain('running: up');
    expect(out).toContain('\x1b[2K');
    expect(out).toContain('\x1b[31m');
  });
});

describe('a check whose writes the guard blocked', () => {
  it('says so on its own line, in the table and in the run\'s list (with the test\'s place for a spec)', () => {
    const blocked = [{ check: 'qa › login', method: 'POST', url: 'https://studio.example.com/login', test: 'login', location: 'e2e/login.spec.ts:12' }];
    const check = { name: 'qa › login', kind: 'playwright' as const, status: 'passed' as const, duration_ms: 30, attempts: 1, error: null, evidence: {}, assertions: [], blocked_requests: blocked };
    const run: RunResult = { ...result, verdict: 'green', checks: [check], blocked_requests: blocked };
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const reporter = createTerminalReporter({ stream, interactive: false, color: false });
    reporter.onCheckFinish?.(check);
    reporter.onRunFinish?.(run);
    expect(out).toContain('✓ qa › login  30 ms  · 1 write blocked\n');
    expect(out).toMatch(/passed\s+qa › login\s+playwright\s+30 ms\s+1\s+1 write blocked\n/);
    expect(out).toContain('  POST https://studio.example.com/login  (qa › login, e2e/login.spec.ts:12)');
  });
});

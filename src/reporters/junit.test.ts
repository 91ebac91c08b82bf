import { describe, expect, it } from 'vitest';
import { convert } from 'xmlbuilder2';
import type { RunResult } from '../runner/run-result.js';
import { renderJunit } from './junit.js';

const result: RunResult = {
  run_id: 'r1', evidence_dir: null, app: 'studio', base_url: 'https://studio.example.com', verdict: 'red', summary: "2/4 passed; 'devops hidden' failed: status 200, expected 404",
  started_at: '2026-11-21T10:00:00.000Z', finished_at: '2026-11-21T10:00:01.000Z', duration_ms: 1000,
  release: { version: 'v3.3.0', sha: 'abc', merge_sha: 'def' }, blocked_requests: [], rollback: 'git revert -m 1 def', warnings: [],
  checks: [
    { name: 'up', kind: 'http', status: 'passed', duration_ms: 41, attempts: 1, error: null, evidence: {}, assertions: [{ label: 'status == 200', ok: true, expected: 200, actual: 200 }], blocked_requests: [{ check: 'up', method: 'DELETE', url: 'https://studio.example.com/items/1' }] },
    { name: 'devops hidden', kind: 'http', status: 'failed', duration_ms: 12, attempts: 1, error: null, evidence: {}, assertions: [{ label: 'status == 404', ok: false, expected: 404, actual: 200, message: 'status 200, expected 404' }] },
    { name: 'warm <cache> & "co"', kind: 'http', status: 'flaky', duration_ms: 300, attempts: 2, error: null, evidence: {}, assertions: [{ label: 'body contains "</testcase>\u0001"', ok: true, expected: 'x', actual: 'found' }] },
    { name: 'page', kind: 'browser', status: 'error', duration_ms: 0, attempts: 1, error: 'browser checks are not supported', evidence: {}, assertions: [] },
    { name: 'later', kind: 'http', status: 'skipped', duration_ms: 0, attempts: 0, error: 'until v2', evidence: {}, assertions: [] },
  ],
};

type Node = Record<string, unknown>;

describe('the JUnit report', () => {
  const xml = renderJunit(result);
  const parsed = convert(xml, { format: 'object' }) as { testsuites: { '@tests': string; '@failures': string; '@errors': string; '@skipped': string; testsuite: { testcase: Node[]; properties: { property: Node[] } } } };

  it('has one testcase per check, with totals CI systems read', () => {
    expect(parsed.testsuites).toMatchObject({ '@tests': '5', '@failures': '1', '@errors': '1', '@skipped': '1' });
    // xmlbuilder2's object form keeps attribute entities as written, hence the escaped name.
    expect(parsed.testsuites.testsuite.testcase.map((t) => t['@name'])).toEqual(['up', 'devops hidden', 'warm &lt;cache&gt; &amp; &quot;co&quot;', 'page', 'later']);
  });

  it('marks failures, errors and skips the way JUnit readers expect', () => {
    const [up, devops, flaky, page, later] = parsed.testsuites.testsuite.testcase;
    expect(up?.failure).toBeUndefined();
    expect(devops?.failure).toMatchObject({ '@message': 'status 200, expected 404', '@type': 'assertion' });
    expect(flaky?.['system-out']).toContain('flaky: passed on attempt 2');
    expect(page?.error).toMatchObject({ '@message': 'browser checks are not supported' });
    expect(later?.skipped).toMatchObject({ '@message': 'until v2' });
    expect(up).toMatchObject({ '@classname': 'studio.http', '@time': '0.041' });
  });

  it('escapes hostile text and replaces characters XML forbids', () => {
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('name="warm &lt;cache&gt; &amp; &quot;co&quot;"');
    expect(xml).not.toContain('"</testcase>');
  });

  it('carries the verdict and rollback as suite properties', () => {
    const props = Object.fromEntries(parsed.testsuites.testsuite.properties.property.map((p) => [p['@name'], p['@value']]));
    expect(props).toMatchObject({ verdict: 'red', release: 'v3.3.0', rollback: 'git revert -m 1 def' });
  });
});

describe('the JUnit report of a check whose writes the guard blocked', () => {
  it('lists them as properties of its testcase and says so in its output', () => {
    const xml = renderJunit(result);
    const up = /<testcase [^>]*name="up"[\s\S]*?<\/testcase>/.exec(xml)?.[0] ?? '';
    expect(up).toContain('<property name="blocked_writes" value="1"/>');
    expect(up).toContain('<property name="blocked_write" value="DELETE https://studio.example.com/items/1"/>');
    expect(up).toContain('1 write blocked (answered by the read-only guard, never sent to production): DELETE https://studio.example.com/items/1');
  });
});

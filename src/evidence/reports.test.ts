/**
 * The report readers on hand-written and hostile reports (the real ones, written by vitest and
 * @playwright/test, are read in test/credit-reports.test.ts).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { creditOf, MAX_REPORT_BYTES, readReport } from './reports.js';

const junit = (body: string): Buffer => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- written by a runner -->\n<testsuites>${body}</testsuites>`);

describe('JUnit XML', () => {
  it('counts each testcase by what is inside it, not by the totals the report states', () => {
    const bytes = junit(`<testsuite name="s" tests="99" failures="0">
      <testcase name="plain"/>
      <testcase name="with output"><system-out><![CDATA[ <testcase name="not a test"/> <failure/> ]]></system-out></testcase>
      <testcase name="a > b" classname='x"y'><failure message="expected 1 > 2">trace</failure></testcase>
      <testcase name="err"><error type="E"/></testcase>
      <testcase name="skip"><skipped message="later"/></testcase>
      <testcase name="rerun"><flakyFailure message="first try"/></testcase>
      <testcase name="ns"><ns:rerunError/></testcase>
    </testsuite>`);
    const read = readReport('junit', bytes);
    expect(read).toEqual({ ok: true, format: 'junit', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), counts: { tests: 7, passed: 2, failed: 2, skipped: 1, flaky: 2 }, runErrors: [] });
    expect(creditOf(read)).toEqual({ credited: false, reason: '2 of 7 tests failed' });
  });

  it('credits only a report with a test that ran and none that failed', () => {
    expect(creditOf(readReport('junit', junit('<testsuite><testcase name="a"/><testcase name="b"><skipped/></testcase></testsuite>')))).toEqual({ credited: true, reason: null });
    expect(creditOf(readReport('junit', junit('<testsuite tests="0"></testsuite>')))).toEqual({ credited: false, reason: 'the report holds no test' });
    expect(creditOf(readReport('junit', junit('<testsuite><testcase name="b"><skipped/></testcase></testsuite>')))).toEqual({ credited: false, reason: 'no test ran (1 skipped)' });
    expect(creditOf(readReport('junit', Buffer.from('<testsuite><testcase name="only"/></testsuite>')))).toEqual({ credited: true, reason: null });
  });

  it.each([
    ['HTML', '<html><body>500</body></html>', 'not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>'],
    ['no element', 'just text', 'not a JUnit report: no <testsuites> or <testsuite> element'],
    ['a cut-off file', '<testsuites><testsuite><testcase name="a">', 'the XML ends before its elements are closed'],
    ['a tag cut in half', '<testsuites><testcase name="a', 'the XML ends inside the tag opened at byte 12'],
    ['an unclosed CDATA', '<testsuites><![CDATA[ ...', 'the XML ends inside a markup section opened at byte 12'],
    ['a stray close', '<testsuites></testsuites></testsuites>', '</testsuites> closes nothing'],
    ['deep nesting', `<testsuites>${'<a>'.repeat(100_000)}`, 'elements nested deeper than 64'],
  ])('refuses %s, saying why', (_what, text, why) => {
    const read = readReport('junit', Buffer.from(text));
    expect(read).toMatchObject({ ok: false, why });
    expect(creditOf(read)).toEqual({ credited: false, reason: `the report could not be read: ${why}` });
  });

  it('never expands an entity: a billion-laughs doctype is stepped over, not read', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>`;
    expect(readReport('junit', Buffer.from(`${laughs}<testsuite><testcase name="&lol2;"/></testsuite>`))).toMatchObject({ ok: true, counts: { tests: 1, passed: 1 } });
  });
});

describe('JSON reports', () => {
  it('Playwright: nested suites walked without recursion, statuses counted per test', () => {
    const spec = (status: string) => ({ title: 't', tests: [{ status }] });
    const report = { stats: { expected: 99 }, suites: [{ title: 'a.spec.ts', specs: [spec('expected'), spec('flaky')], suites: [{ title: 'describe', specs: [spec('unexpected'), spec('skipped')] }] }] };
    expect(readReport('playwright-json', Buffer.from(JSON.stringify(report)))).toMatchObject({ ok: true, counts: { tests: 4, passed: 1, failed: 1, skipped: 1, flaky: 1 } });
    let deep: Record<string, unknown> = { specs: [] };
    for (let i = 0; i < 200; i += 1) deep = { suites: [deep] };
    expect(readReport('playwright-json', Buffer.from(JSON.stringify({ suites: [deep] })))).toMatchObject({ ok: false, why: 'suites nested deeper than 64' });
    expect(readReport('playwright-json', Buffer.from('{"suites":[{"specs":[{"tests":[{"status":"passed"}]}]}]}'))).toMatchObject({ ok: false, why: 'a test with status "passed" (expected, unexpected, flaky or skipped)' });
    const broken = { suites: [], errors: [{ message: "Error: Cannot find package '@playwright/test'\n    at stack" }, { message: 'Error: No tests found' }] };
    const read = readReport('playwright-json', Buffer.from(JSON.stringify(broken)));
    expect(creditOf(read)).toEqual({ credited: false, reason: "the run reported 2 errors outside its tests: Error: Cannot find package '@playwright/test'" });
    expect(readReport('playwright-json', Buffer.from('{"tests":[]}'))).toMatchObject({ ok: false, why: 'not a Playwright JSON report (no "suites" list)' });
  });

  it('Vitest: assertion results counted; a retried pass is flaky; a file that failed to load is a failure', () => {
    const report = { numTotalTests: 99, testResults: [{ status: 'passed', assertionResults: [{ status: 'passed' }, { status: 'passed', retryCount: 1 }, { status: 'skipped' }, { status: 'todo' }] }, { status: 'failed', assertionResults: [] }] };
    expect(readReport('vitest-json', Buffer.from(JSON.stringify(report)))).toMatchObject({ ok: true, counts: { tests: 5, passed: 1, failed: 1, skipped: 2, flaky: 1 } });
    expect(readReport('vitest-json', Buffer.from('{"testResults": [{"assertionResults": [{"status": "weird"}]}]}'))).toMatchObject({ ok: false, why: 'a test with status "weird"' });
    expect(readReport('vitest-json', Buffer.from('not json'))).toMatchObject({ ok: false, why: expect.stringMatching(/^not JSON \(/) });
  });

  it('reads at most the cap, and still gives the hash of what it was given', () => {
    const big = Buffer.alloc(MAX_REPORT_BYTES + 1, 0x20);
    const read = readReport('vitest-json', big);
    expect(read).toMatchObject({ ok: false, bytes: MAX_REPORT_BYTES + 1, why: `it is ${MAX_REPORT_BYTES + 1} bytes, over the ${MAX_REPORT_BYTES} read` });
    expect(read.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });
});

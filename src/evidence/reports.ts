/**
 * Test reports, read to credit a tier: JUnit XML (what most runners write), Playwright's JSON
 * reporter and Vitest's JSON reporter (Jest's shape). Each is counted test by test, not from
 * the totals a report states about itself. Reports come from outside: their size is capped,
 * nesting is walked with an explicit stack and a depth bound (never recursion), and the XML
 * reader looks only at tags (no entity, DTD or external resource is ever expanded).
 */
import { createHash } from 'node:crypto';

export const REPORT_FORMATS = ['junit', 'playwright-json', 'vitest-json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The most bytes of a report that are read. */
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;
/** The deepest nesting of suites (or XML elements) walked. */
export const MAX_REPORT_DEPTH = 64;

/** What a report says ran. `flaky`: failed first, then passed on a retry. */
export interface TestCounts {
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly flaky: number;
}

/** A report read: the counts and the SHA-256 of its bytes, or why it could not be read. */
export type ReadReport =
  | { readonly ok: true; readonly format: ReportFormat; readonly sha256: string; readonly bytes: number; readonly counts: TestCounts; readonly runErrors: readonly string[] }
  | { readonly ok: false; readonly format: ReportFormat; readonly sha256: string; readonly bytes: number; readonly why: string };

/** Whether a read report credits its tier, and why not. */
export function creditOf(report: ReadReport): { readonly credited: boolean; readonly reason: string | null } {
  if (!report.ok) return { credited: false, reason: `the report could not be read: ${report.why}` };
  const { counts } = report;
  if (report.runErrors.length > 0) return { credited: false, reason: `the run reported ${report.runErrors.length === 1 ? 'an error' : `${report.runErrors.length} errors`} outside its tests: ${report.runErrors[0]}` };
  if (counts.failed > 0) return { credited: false, reason: `${counts.failed} of ${counts.tests} test${counts.tests === 1 ? '' : 's'} failed` };
  if (counts.passed + counts.flaky === 0) return { credited: false, reason: counts.tests === 0 ? 'the report holds no test' : `no test ran (${counts.skipped} skipped)` };
  return { credited: true, reason: null };
}

/** Reads a report's bytes in the given format. Never throws: a bad report is `ok: false`. */
export function readReport(format: ReportFormat, bytes: Buffer): ReadReport {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = { format, sha256, bytes: bytes.length };
  if (bytes.length > MAX_REPORT_BYTES) return oversizedReport(format, bytes.length, sha256);
  try {
    const text = bytes.toString('utf8');
    if (format === 'junit') return { ...base, ok: true, counts: countJunit(text), runErrors: [] };
    const json = parseJson(text);
    const counts = format === 'playwright-json' ? countPlaywright(json) : countVitest(json);
    return { ...base, ok: true, counts, runErrors: runErrorsOf(format, json) };
  } catch (error) {
    return { ...base, ok: false, why: error instanceof ReportError ? error.message : `${(error as Error).message}` };
  }
}

/** A report over MAX_REPORT_BYTES, hashed but not read. */
export function oversizedReport(format: ReportFormat, size: number, sha256: string): ReadReport {
  return { format, sha256, bytes: size, ok: false, why: `it is ${size} bytes, over the ${MAX_REPORT_BYTES} read` };
}

class ReportError extends Error {}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ReportError(`not JSON (${(error as Error).message})`);
  }
}

/**
 * Errors a JSON report records outside any test (a spec that does not load, a crash in global
 * set-up, an unhandled error): Playwright's top-level `errors`, Vitest's `success: false` with
 * no failed test to show for it. Each message is cut to one line of 200 characters.
 */
function runErrorsOf(format: ReportFormat, json: unknown): string[] {
  if (!isObject(json)) return [];
  const line = (text: unknown): string => String(text).split('\n')[0]?.slice(0, 200) ?? '';
  if (format === 'playwright-json') {
    const errors = Array.isArray(json.errors) ? json.errors.slice(0, 100) : [];
    return errors.map((e: unknown) => line(isObject(e) ? (e.message ?? e.value ?? 'an error') : e));
  }
  return json.success === false && json.numFailedTests === 0 && json.numFailedTestSuites === 0 ? ['the run did not succeed (success: false) with no failed test'] : [];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function tally(statuses: Iterable<'passed' | 'failed' | 'skipped' | 'flaky'>): TestCounts {
  const counts = { tests: 0, passed: 0, failed: 0, skipped: 0, flaky: 0 };
  for (const status of statuses) {
    counts.tests += 1;
    counts[status] += 1;
  }
  return counts;
}

/**
 * Playwright's JSON reporter: `suites` nest (files, describe blocks); each spec has `tests`, one
 * per project, whose `status` is expected, unexpected, flaky or skipped.
 */
function countPlaywright(report: unknown): TestCounts {
  if (!isObject(report) || !Array.isArray(report.suites)) throw new ReportError('not a Playwright JSON report (no "suites" list)');
  const statuses: ('passed' | 'failed' | 'skipped' | 'flaky')[] = [];
  const stack: { suite: unknown; depth: number }[] = (report.suites as unknown[]).map((suite) => ({ suite, depth: 1 }));
  while (stack.length > 0) {
    const { suite, depth } = stack.pop()!;
    if (depth > MAX_REPORT_DEPTH) throw new ReportError(`suites nested deeper than ${MAX_REPORT_DEPTH}`);
    if (!isObject(suite)) throw new ReportError('a suite that is not an object');
    for (const child of Array.isArray(suite.suites) ? suite.suites : []) stack.push({ suite: child, depth: depth + 1 });
    for (const spec of Array.isArray(suite.specs) ? suite.specs : []) {
      if (!isObject(spec) || !Array.isArray(spec.tests)) throw new ReportError('a spec without a "tests" list');
      for (const test of spec.tests) {
        const status = isObject(test) ? test.status : undefined;
        if (status === 'expected') statuses.push('passed');
        else if (status === 'unexpected') statuses.push('failed');
        else if (status === 'flaky') statuses.push('flaky');
        else if (status === 'skipped') statuses.push('skipped');
        else throw new ReportError(`a test with status ${JSON.stringify(status)} (expected, unexpected, flaky or skipped)`);
      }
    }
  }
  return tally(statuses);
}

/**
 * Vitest's (and Jest's) JSON reporter: `testResults` per file, each with `assertionResults`
 * whose `status` is passed, failed, skipped, pending, todo or disabled. A test that passed after
 * retries (`retryCount` > 0, where the reporter records it) is flaky. A file that failed to load
 * has no assertion results but `status: "failed"`: it counts as one failed test.
 */
function countVitest(report: unknown): TestCounts {
  if (!isObject(report) || !Array.isArray(report.testResults)) throw new ReportError('not a Vitest/Jest JSON report (no "testResults" list)');
  const statuses: ('passed' | 'failed' | 'skipped' | 'flaky')[] = [];
  for (const file of report.testResults) {
    if (!isObject(file)) throw new ReportError('a file result that is not an object');
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    if (assertions.length === 0 && file.status === 'failed') statuses.push('failed');
    for (const test of assertions) {
      const status = isObject(test) ? test.status : undefined;
      if (status === 'passed') statuses.push(isObject(test) && typeof test.retryCount === 'number' && test.retryCount > 0 ? 'flaky' : 'passed');
      else if (status === 'failed') statuses.push('failed');
      else if (status === 'skipped' || status === 'pending' || status === 'todo' || status === 'disabled') statuses.push('skipped');
      else throw new ReportError(`a test with status ${JSON.stringify(status)}`);
    }
  }
  return tally(statuses);
}

/**
 * JUnit XML: every `<testcase>` is a test; inside it, `<failure>` or `<error>` fails it,
 * `<skipped>` skips it, and `<flakyFailure>`/`<flakyError>` (Surefire's reruns that then passed)
 * or `<rerunFailure>`/`<rerunError>` make a passing one flaky. Only tags are read: comments,
 * CDATA, processing instructions and the doctype are stepped over, unexpanded.
 */
function countJunit(text: string): TestCounts {
  const statuses: ('passed' | 'failed' | 'skipped' | 'flaky')[] = [];
  let depth = 0;
  let sawRoot = false;
  /** The open testcase: its depth and what its children said. */
  let open: { depth: number; failed: boolean; skipped: boolean; flaky: boolean } | null = null;
  const close = (): void => {
    if (!open) return;
    statuses.push(open.failed ? 'failed' : open.skipped ? 'skipped' : open.flaky ? 'flaky' : 'passed');
    open = null;
  };
  let at = 0;
  for (;;) {
    const lt = text.indexOf('<', at);
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) at = skipPast(text, lt, '-->');
    else if (text.startsWith('<![CDATA[', lt)) at = skipPast(text, lt, ']]>');
    else if (text.startsWith('<?', lt)) at = skipPast(text, lt, '?>');
    else if (text.startsWith('<!', lt)) at = skipPast(text, lt, '>');
    else {
      const end = tagEnd(text, lt);
      const tag = text.slice(lt + 1, end);
      at = end + 1;
      const closing = tag.startsWith('/');
      const selfClosing = tag.endsWith('/');
      const name = /^\/?\s*([A-Za-z_][\w:.-]*)/.exec(tag)?.[1];
      if (!name) throw new ReportError(`a tag that is not XML at byte ${lt}`);
      const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
      if (closing) {
        depth -= 1;
        if (depth < 0) throw new ReportError(`</${name}> closes nothing`);
        if (open && depth === open.depth) close();
        continue;
      }
      if (!sawRoot) {
        if (local !== 'testsuites' && local !== 'testsuite') throw new ReportError(`not a JUnit report: the root element is <${name}>, not <testsuites> or <testsuite>`);
        sawRoot = true;
      }
      if (local === 'testcase') {
        if (open) throw new ReportError('a <testcase> inside another');
        open = { depth, failed: false, skipped: false, flaky: false };
      } else if (open) {
        if (local === 'failure' || local === 'error') open.failed = true;
        else if (local === 'skipped') open.skipped = true;
        else if (/^(flaky|rerun)(Failure|Error)$/.test(local)) open.flaky = true;
      }
      if (selfClosing) {
        if (open && depth === open.depth && local === 'testcase') close();
      } else {
        depth += 1;
        if (depth > MAX_REPORT_DEPTH) throw new ReportError(`elements nested deeper than ${MAX_REPORT_DEPTH}`);
      }
    }
  }
  if (!sawRoot) throw new ReportError('not a JUnit report: no <testsuites> or <testsuite> element');
  if (depth !== 0 || open) throw new ReportError('the XML ends before its elements are closed');
  return tally(statuses);
}

function skipPast(text: string, from: number, terminator: string): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) throw new ReportError(`the XML ends inside a markup section opened at byte ${from}`);
  return end + terminator.length;
}

/** The `>` that ends the tag opened at `lt`, past quoted attribute values. */
function tagEnd(text: string, lt: number): number {
  let quote: string | null = null;
  for (let i = lt + 1; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new ReportError(`the XML ends inside the tag opened at byte ${lt}`);
}

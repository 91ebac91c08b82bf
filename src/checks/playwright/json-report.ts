/** Turns Playwright's JSON report into check results: one per test of the spec. Pure. */
import { stripVTControlCharacters } from 'node:util';
import type { CheckResult, CheckStatus } from '../../runner/run-result.js';

interface JsonAttachment { name: string; contentType: string; path?: string }
interface JsonError { message?: string }
interface JsonResult { status: string; duration: number; retry: number; error?: JsonError; errors?: JsonError[]; attachments?: JsonAttachment[] }
interface JsonTest { projectName: string; status: 'expected' | 'unexpected' | 'flaky' | 'skipped'; results: JsonResult[] }
interface JsonSpec { title: string; file: string; line: number; tests: JsonTest[] }
interface JsonSuite { title: string; file?: string; specs?: JsonSpec[]; suites?: JsonSuite[] }
/** The parts of Playwright's JSON reporter output read here. */
export interface JsonReport { suites?: JsonSuite[]; errors?: JsonError[] }

const MAX_ERROR_CHARS = 2000;

/** One check result per test (per project, when there are several). */
export function checksFromReport(report: JsonReport, parent: string): CheckResult[] {
  const found: { titles: string[]; spec: JsonSpec; test: JsonTest }[] = [];
  const walk = (suite: JsonSuite, titles: string[]): void => {
    for (const spec of suite.specs ?? []) for (const test of spec.tests) found.push({ titles: [...titles, spec.title], spec, test });
    for (const inner of suite.suites ?? []) walk(inner, [...titles, inner.title]);
  };
  // The top-level suites are files; their titles are file names, not test titles.
  for (const file of report.suites ?? []) walk(file, []);
  const projects = new Set(found.map((f) => f.test.projectName));
  return found.map(({ titles, spec, test }) => {
    const last = test.results.at(-1);
    const status = statusOf(test, last);
    const message = firstError(last);
    const name = `${parent} › ${titles.join(' › ')}${projects.size > 1 ? ` [${test.projectName}]` : ''}`;
    return {
      name,
      kind: 'playwright',
      status,
      duration_ms: test.results.reduce((sum, r) => sum + r.duration, 0),
      attempts: Math.max(1, test.results.length),
      assertions: status === 'skipped' ? [] : [{ label: 'spec test passes', ok: status === 'passed' || status === 'flaky', expected: 'passed', actual: last?.status ?? 'not run', ...(message ? { message } : {}) }],
      error: status === 'error' ? (message ?? 'interrupted') : null,
      evidence: {
        file: spec.file,
        line: spec.line,
        project: test.projectName,
        attachments: (last?.attachments ?? []).filter((a) => a.path).map((a) => ({ name: a.name, content_type: a.contentType, path: a.path })),
      },
    };
  });
}

function statusOf(test: JsonTest, last: JsonResult | undefined): CheckStatus {
  switch (test.status) {
    case 'expected':
      return last?.status === 'skipped' ? 'skipped' : 'passed';
    case 'flaky':
      return 'flaky';
    case 'skipped':
      return 'skipped';
    case 'unexpected':
      return last?.status === 'interrupted' ? 'error' : 'failed';
  }
}

function firstError(result: JsonResult | undefined): string | undefined {
  const text = result?.error?.message ?? result?.errors?.[0]?.message;
  if (!text) return undefined;
  const clean = stripVTControlCharacters(text).trim();
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS)}…` : clean;
}

/** Errors Playwright reports outside any test (a syntax error in the spec, a bad config). */
export function reportErrors(report: JsonReport): string[] {
  return (report.errors ?? []).map((e) => stripVTControlCharacters(e.message ?? '').trim().split('\n').slice(0, 6).join('\n')).filter(Boolean);
}

/** Turns Playwright's JSON report into check results: one per test of the spec. Pure. */
import { relative, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { CheckResult, CheckStatus } from '../../runner/run-result.js';

interface JsonAttachment { name: string; contentType: string; path?: string }
interface JsonError { message?: string }
interface JsonResult { status: string; duration: number; retry: number; parallelIndex?: number; startTime?: string; error?: JsonError; errors?: JsonError[]; attachments?: JsonAttachment[] }
interface JsonTest { projectName: string; status: 'expected' | 'unexpected' | 'flaky' | 'skipped'; results: JsonResult[] }
interface JsonSpec { title: string; file: string; line: number; tests: JsonTest[] }
interface JsonSuite { title: string; file?: string; specs?: JsonSpec[]; suites?: JsonSuite[] }
/** The parts of Playwright's JSON reporter output read here. */
export interface JsonReport { suites?: JsonSuite[]; errors?: JsonError[]; config?: { rootDir?: string } }

const MAX_ERROR_CHARS = 2000;
/** Most describe blocks read (the report is walked with a stack; beyond this it is cut). */
const MAX_SUITES = 100_000;

/** One test of the spec: its check result, and when and on which worker each of its attempts ran. */
export interface ReportedTest {
  readonly check: CheckResult;
  /** The test's title, describe blocks included (`login › shows the form @qa-readonly`). */
  readonly title: string;
  /** `e2e/login.spec.ts:12`, relative to the folder of seal.config.yaml. */
  readonly location: string;
  /** When each attempt started and on which worker (parallel index). */
  readonly runs: readonly { readonly worker: number | null; readonly start: number }[];
}

/**
 * One entry per test (per project, when there are several). File names in the report are
 * relative to its root (the spec's folder); locations are made relative to `base`.
 */
export function testsFromReport(report: JsonReport, parent: string, specDir: string, base: string): ReportedTest[] {
  const found: { titles: string[]; spec: JsonSpec; test: JsonTest }[] = [];
  // The top-level suites are files; their titles are file names, not test titles. Depth first,
  // in report order, with a stack (no recursion over a file's nesting).
  const stack: { suite: JsonSuite; titles: string[] }[] = (report.suites ?? []).map((suite) => ({ suite, titles: [] })).reverse();
  for (let seen = 0; stack.length > 0 && seen < MAX_SUITES; seen++) {
    const { suite, titles } = stack.pop() as { suite: JsonSuite; titles: string[] };
    for (const spec of suite.specs ?? []) for (const test of spec.tests) found.push({ titles: [...titles, spec.title], spec, test });
    for (const inner of [...(suite.suites ?? [])].reverse()) stack.push({ suite: inner, titles: [...titles, inner.title] });
  }
  const projects = new Set(found.map((f) => f.test.projectName));
  return found.map(({ titles, spec, test }) => {
    const last = test.results.at(-1);
    const status = statusOf(test, last);
    const message = firstError(last);
    const title = titles.join(' › ');
    const name = `${parent} › ${title}${projects.size > 1 ? ` [${test.projectName}]` : ''}`;
    const location = `${relative(base, resolve(report.config?.rootDir ?? specDir, spec.file))}:${spec.line}`;
    const check: CheckResult = {
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
    const runs = test.results.flatMap((r) => {
      const start = Date.parse(r.startTime ?? '');
      return Number.isFinite(start) ? [{ worker: r.parallelIndex ?? null, start }] : [];
    });
    return { check, title, location, runs };
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

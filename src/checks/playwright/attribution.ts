/**
 * Which test of a spec made a request the guard saw. Each Playwright worker sends through a
 * guard channel of its own, and a worker runs one test at a time, so a request belongs to the
 * test that was running on its worker when it arrived: the one that started last before it.
 * A test's reported duration leaves out worker fixtures set up during it (the first test's
 * browser launch), so a test is taken to last until the next one starts on its worker. A
 * request whose worker is unknown belongs to a test only when that was the one test running
 * at the time. Pure.
 */
import type { ReportedTest } from './json-report.js';

/** Something the guard saw at a time, through a worker's channel (or an unknown one). */
export interface Timed {
  readonly at: number;
  readonly worker: number | null;
}

/** A test's attempt on a worker, from its start to the next attempt's start there. */
interface Span {
  readonly test: number;
  readonly worker: number | null;
  readonly start: number;
  readonly end: number;
}

/** The records of each test (same order as `tests`), and those no test can be named for. */
export function attributeToTests<T extends Timed>(records: readonly T[], tests: readonly ReportedTest[]): { perTest: T[][]; outside: T[] } {
  const spans = spansOf(tests);
  const perTest: T[][] = tests.map(() => []);
  const outside: T[] = [];
  for (const record of records) {
    const running = spans.filter((s) => s.start <= record.at && record.at < s.end && (record.worker === null || s.worker === record.worker));
    const tested = new Set(running.map((s) => s.test));
    const index = tested.size === 1 ? (running[0] as Span).test : null;
    if (index === null) outside.push(record);
    else perTest[index]?.push(record);
  }
  return { perTest, outside };
}

/** Every attempt as a span: it lasts until the next attempt on its worker starts (the last one, until the end). */
function spansOf(tests: readonly ReportedTest[]): Span[] {
  const runs = tests.flatMap((test, index) => test.runs.map((run) => ({ test: index, worker: run.worker, start: run.start })));
  runs.sort((a, b) => a.start - b.start);
  return runs.map((run, i) => {
    const next = runs.slice(i + 1).find((later) => later.worker === run.worker);
    return { ...run, end: next?.start ?? Number.POSITIVE_INFINITY };
  });
}

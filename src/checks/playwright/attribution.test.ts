import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../runner/run-result.js';
import { attributeToTests } from './attribution.js';
import type { ReportedTest } from './json-report.js';

const test = (title: string, runs: { worker: number | null; start: number }[]): ReportedTest => ({ check: { name: title } as CheckResult, title, location: 'e2e/x.spec.ts:1', runs });
const at = (time: number, worker: number | null) => ({ at: time, worker, id: `${time}@${String(worker)}` });

describe('which test made a request', () => {
  const tests = [
    test('a', [{ worker: 0, start: 1000 }]),
    test('b', [{ worker: 1, start: 1100 }]),
    test('c', [{ worker: 0, start: 3000 }]),
    // Failed on worker 1, passed on its retry on worker 1.
    test('d', [{ worker: 1, start: 4000 }, { worker: 1, start: 5000 }]),
  ];

  it('a request on a worker belongs to the test that started last there before it, until the next starts', () => {
    const { perTest, outside } = attributeToTests([at(1500, 0), at(2999, 0), at(3000, 0), at(1200, 1), at(4500, 1), at(9000, 1), at(500, 0)], tests);
    expect(perTest.map((list) => list.map((r) => r.id))).toEqual([['1500@0', '2999@0'], ['1200@1'], ['3000@0'], ['4500@1', '9000@1']]);
    // Before any test on its worker (global setup): no test.
    expect(outside.map((r) => r.id)).toEqual(['500@0']);
  });

  it('a request whose worker is unknown belongs to a test only when one test was running', () => {
    const serial = [test('only', [{ worker: 0, start: 1000 }]), test('next', [{ worker: 0, start: 2000 }])];
    expect(attributeToTests([at(1500, null), at(2500, null)], serial).perTest.map((l) => l.length)).toEqual([1, 1]);
    // Two workers busy at once: it cannot be told.
    expect(attributeToTests([at(1200, null)], tests).outside.map((r) => r.id)).toEqual(['1200@null']);
  });
});

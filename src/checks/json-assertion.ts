/** JSONPath assertions, shared by the kinds that read JSON (http bodies, exec stdout). */
import { isDeepStrictEqual } from 'node:util';
import { JSONPath } from 'jsonpath-plus';
import { boundedCopy } from '../redact/bounded-copy.js';
import type { Assertion } from '../runner/run-result.js';
import { makeAssertion, show } from './assertion.js';

/** Asserts JSONPath → value pairs on a JSON text; `cutReason` explains a text that was cut short. */
export function assertJson(paths: Record<string, unknown>, body: string, cutReason: string | null, subject = 'body'): Assertion[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    const why = cutReason ?? `${subject} is not JSON`;
    return Object.entries(paths).map(([path, expected]) => makeAssertion(`${path} == ${show(expected)}`, false, expected, why, `${path}: ${why}`));
  }
  return Object.entries(paths).map(([path, expected]) => {
    const label = `${path} == ${show(expected)}`;
    let matches: unknown[];
    try {
      matches = JSONPath<unknown[]>({ path, json: document as object, wrap: true });
    } catch (error) {
      // A document nested deep enough exhausts the evaluator's stack (`$..` walks it all).
      const why = error instanceof RangeError ? `the ${subject} nests too deep for ${path} to be evaluated (the JSONPath evaluator ran out of stack)` : `${path} could not be evaluated: ${(error as Error).message}`;
      return makeAssertion(label, false, expected, why, why);
    }
    if (matches.length === 0) return makeAssertion(label, false, expected, 'no match', `${path} not found in the JSON ${subject}`);
    const found = matches.length === 1 ? matches[0] : matches;
    // Compared whole, but kept and shown bounded: production's value can be nested without end.
    const actual = boundedCopy(found);
    return makeAssertion(label, isDeepStrictEqual(found, expected), expected, actual, `${path} is ${show(actual)}, expected ${show(expected)}`);
  });
}

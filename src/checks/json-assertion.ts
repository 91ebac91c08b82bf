/** JSONPath assertions, shared by the kinds that read JSON (http bodies, exec stdout). */
import { isDeepStrictEqual } from 'node:util';
import { JSONPath } from 'jsonpath-plus';
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
    const matches: unknown[] = JSONPath<unknown[]>({ path, json: document as object, wrap: true });
    if (matches.length === 0) return makeAssertion(`${path} == ${show(expected)}`, false, expected, 'no match', `${path} not found in the JSON body`);
    const actual = matches.length === 1 ? matches[0] : matches;
    return makeAssertion(`${path} == ${show(expected)}`, isDeepStrictEqual(actual, expected), expected, actual, `${path} is ${show(actual)}, expected ${show(expected)}`);
  });
}

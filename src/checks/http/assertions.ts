/** Pure evaluation of an HTTP check's `expect` block against what production answered. */
import { parseRegex, type RawExpect } from '../../config/schema.js';
import type { Assertion } from '../../runner/run-result.js';
import { isSecretName, REDACTED } from '../../redact/redact.js';
import { assertMaxMs, makeAssertion, show, toList } from '../assertion.js';
import { assertJson } from '../json-assertion.js';

/** What the assertions look at. `headers` keys are lower-case. */
export interface HttpObservation {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly bodyBytes: number;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** Evaluates every `expect` field; with no `status` given, a 2xx or 3xx answer is required. */
export function assertHttp(expect: RawExpect, seen: HttpObservation): Assertion[] {
  const out: Assertion[] = [assertStatus(expect.status, seen.status)];
  if (expect.max_ms !== undefined) out.push(assertMaxMs(expect.max_ms, seen.durationMs));
  const searched = seen.truncated ? `the first ${seen.bodyBytes} bytes (body cut at the cap)` : `${seen.bodyBytes} bytes`;
  for (const text of toList(expect.body_contains)) {
    const found = seen.body.includes(text);
    out.push(makeAssertion(`body contains ${show(text)}`, found, text, found ? 'found' : `not found in ${searched}`, `body does not contain ${show(text)} (searched ${searched})`));
  }
  for (const text of toList(expect.body_not_contains)) {
    const found = seen.body.includes(text);
    // On a body cut at the cap, "absent" only covers what was read; the actual value says so.
    out.push(makeAssertion(`body does not contain ${show(text)}`, !found, text, found ? 'found' : `not found in ${searched}`, `body contains ${show(text)}`));
  }
  if (expect.body_matches !== undefined) {
    const pattern = parseRegex(expect.body_matches);
    const match = pattern.exec(seen.body);
    out.push(makeAssertion(`body matches ${String(pattern)}`, match !== null, String(pattern), match ? match[0] : `no match in ${searched}`, `body does not match ${String(pattern)} (searched ${searched})`));
  }
  if (expect.json !== undefined) out.push(...assertJson(expect.json, seen.body, seen.truncated ? 'body was cut at the cap before it ended (raise max_body_bytes)' : null));
  for (const [name, expected] of Object.entries(expect.headers ?? {})) {
    const lower = name.toLowerCase();
    const assertion = assertHeader(lower, expected, seen.headers[lower]);
    // A credential header (Set-Cookie, Authorization, …) is judged on its value but never shown.
    out.push(isSecretName(lower) && seen.headers[lower] !== undefined ? hideActual(assertion, seen.headers[lower]) : assertion);
  }
  return out;
}

function hideActual(assertion: Assertion, value: string): Assertion {
  const message = assertion.message?.split(show(value)).join(REDACTED);
  return { ...assertion, actual: REDACTED, ...(message === undefined ? {} : { message }) };
}

function assertStatus(expected: number | number[] | undefined, actual: number): Assertion {
  if (expected === undefined) {
    const ok = actual >= 200 && actual < 400;
    return makeAssertion('status is 2xx or 3xx', ok, '2xx or 3xx', actual, `status ${actual}, expected 2xx or 3xx`);
  }
  if (Array.isArray(expected)) {
    return makeAssertion(`status in [${expected.join(', ')}]`, expected.includes(actual), expected, actual, `status ${actual}, expected one of ${expected.join(', ')}`);
  }
  return makeAssertion(`status == ${expected}`, actual === expected, expected, actual, `status ${actual}, expected ${expected}`);
}

function assertHeader(name: string, expected: string | boolean, actual: string | undefined): Assertion {
  if (expected === true) return makeAssertion(`header ${name} is present`, actual !== undefined, true, actual ?? null, `header ${name} is missing`);
  if (expected === false) return makeAssertion(`header ${name} is absent`, actual === undefined, false, actual ?? null, `header ${name} is present (${show(actual)})`);
  if (/^\/.*\/[dgimsuvy]*$/s.test(expected)) {
    const pattern = parseRegex(expected);
    const ok = actual !== undefined && pattern.test(actual);
    return makeAssertion(`header ${name} matches ${String(pattern)}`, ok, String(pattern), actual ?? null, `header ${name} is ${actual === undefined ? 'missing' : show(actual)}, expected to match ${String(pattern)}`);
  }
  return makeAssertion(`header ${name} == ${show(expected)}`, actual === expected, expected, actual ?? null, `header ${name} is ${actual === undefined ? 'missing' : show(actual)}, expected ${show(expected)}`);
}

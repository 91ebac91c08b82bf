/** Pure evaluation of a browser check's `expect` block against what the page showed. */
import { parseRegex, type RawExpect } from '../../config/schema.js';
import type { Assertion } from '../../runner/run-result.js';
import { assertMaxMs, makeAssertion, show, toList } from '../assertion.js';

/** What the page showed; `visible` maps each expected selector to whether it appeared. */
export interface PageObservation {
  readonly status: number | null;
  readonly title: string;
  readonly text: string;
  readonly visible: Readonly<Record<string, boolean>>;
  readonly errors: readonly string[];
  readonly blockedWrites: number;
  readonly durationMs: number;
}

/** Evaluates a browser check; the main document must answer 2xx or 3xx whatever else is asked. */
export function assertPage(expect: RawExpect, onWrite: 'record' | 'fail', seen: PageObservation): Assertion[] {
  const ok = seen.status !== null && seen.status >= 200 && seen.status < 400;
  const out: Assertion[] = [makeAssertion('page status is 2xx or 3xx', ok, '2xx or 3xx', seen.status, `page answered ${seen.status ?? 'nothing'}, expected 2xx or 3xx`)];
  if (expect.title !== undefined) {
    if (/^\/.*\/[dgimsuvy]*$/s.test(expect.title)) {
      const pattern = parseRegex(expect.title);
      out.push(makeAssertion(`title matches ${String(pattern)}`, pattern.test(seen.title), String(pattern), seen.title, `title is ${show(seen.title)}, expected to match ${String(pattern)}`));
    } else {
      out.push(makeAssertion(`title == ${show(expect.title)}`, seen.title === expect.title, expect.title, seen.title, `title is ${show(seen.title)}, expected ${show(expect.title)}`));
    }
  }
  for (const selector of expect.visible ?? []) {
    const visible = seen.visible[selector] === true;
    out.push(makeAssertion(`visible ${show(selector)}`, visible, true, visible, `${show(selector)} is not visible`));
  }
  for (const text of toList(expect.text_contains)) {
    const found = seen.text.includes(text);
    out.push(makeAssertion(`page text contains ${show(text)}`, found, text, found ? 'found' : 'not found', `page text does not contain ${show(text)}`));
  }
  if (expect.no_console_errors) {
    const first = seen.errors[0];
    out.push(makeAssertion('no console or page errors', seen.errors.length === 0, [], seen.errors, `${seen.errors.length} console/page error${seen.errors.length === 1 ? '' : 's'}${first ? `, first: ${first}` : ''}`));
  }
  if (expect.max_ms !== undefined) out.push(assertMaxMs(expect.max_ms, seen.durationMs));
  if (onWrite === 'fail') {
    out.push(makeAssertion('no write attempted', seen.blockedWrites === 0, 0, seen.blockedWrites, `the page tried ${seen.blockedWrites} write${seen.blockedWrites === 1 ? '' : 's'} (blocked; on_write: fail)`));
  }
  return out;
}

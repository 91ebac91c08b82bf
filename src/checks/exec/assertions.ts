/** Pure evaluation of an exec probe's `expect` block; with no `exit_code` given, 0 is required. */
import type { RawExpect } from '../../config/schema.js';
import type { Assertion } from '../../runner/run-result.js';
import { assertMaxMs, makeAssertion, show, toList } from '../assertion.js';
import { assertJson } from '../json-assertion.js';

/** How the command ended. */
export interface ExecObservation {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly durationMs: number;
}

/** Evaluates an exec probe. */
export function assertExec(expect: RawExpect, seen: ExecObservation): Assertion[] {
  const wanted = expect.exit_code ?? 0;
  const ended = seen.exitCode === null ? `killed by ${seen.signal ?? 'a signal'}` : `exit code ${seen.exitCode}`;
  const out: Assertion[] = [makeAssertion(`exit code == ${wanted}`, seen.exitCode === wanted, wanted, seen.exitCode ?? seen.signal, `${ended}, expected ${wanted}`)];
  for (const text of toList(expect.stdout_contains)) {
    const found = seen.stdout.includes(text);
    out.push(makeAssertion(`stdout contains ${show(text)}`, found, text, found ? 'found' : 'not found', `stdout does not contain ${show(text)}`));
  }
  if (expect.json !== undefined) out.push(...assertJson(expect.json, seen.stdout, null, 'stdout'));
  if (expect.max_ms !== undefined) out.push(assertMaxMs(expect.max_ms, seen.durationMs));
  return out;
}

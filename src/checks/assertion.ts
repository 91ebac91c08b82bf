/** Builds assertions: a readable label, pass/fail, expected and actual, and a one-line reason. */
import type { Assertion } from '../runner/run-result.js';

/** Makes an assertion; the message is kept only when it failed. */
export function makeAssertion(label: string, ok: boolean, expected: unknown, actual: unknown, message: string): Assertion {
  return ok ? { label, ok, expected, actual } : { label, ok, expected, actual, message };
}

/**
 * Quotes a value the way labels show it: strings in double quotes, the rest as JSON. Never
 * shortened here: a cut could leave part of a secret the redactor no longer recognises;
 * reporters shorten after redaction.
 */
export function show(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Assertion that the whole attempt took at most `maxMs`. */
export function assertMaxMs(maxMs: number, durationMs: number): Assertion {
  return makeAssertion(`duration <= ${maxMs} ms`, durationMs <= maxMs, maxMs, durationMs, `took ${durationMs} ms, expected at most ${maxMs} ms`);
}

/** The outcome of a set of assertions: passed only when every one holds. */
export function outcomeOf(assertions: readonly Assertion[]): 'passed' | 'failed' {
  return assertions.every((a) => a.ok) ? 'passed' : 'failed';
}

/** A list from a value that may be one item or several. */
export function toList<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** Turns zod issues into path-named diagnostics that say what was expected, all at once. */
import type { z } from 'zod';
import type { Diagnostic, Path } from './diagnostics.js';
import { appSchema, checkSchema, configSchema, expectSchema } from './schema.js';

type Issue = z.core.$ZodIssue;

const KNOWN_KEYS = [
  ...Object.keys(configSchema.shape),
  ...Object.keys(appSchema.shape),
  ...Object.keys(checkSchema.shape),
  ...Object.keys(expectSchema.shape),
  'path', 'method', 'headers', 'follow_redirects', 'max_redirects', 'host', 'port', 'servername',
];

/** Validates a document against the config schema, returning the parsed value or diagnostics. */
export function validateSchema(document: unknown): { config?: z.infer<typeof configSchema>; diagnostics: Diagnostic[] } {
  const result = configSchema.safeParse(document, { reportInput: true });
  if (result.success) return { config: result.data, diagnostics: [] };
  return { diagnostics: result.error.issues.flatMap((issue) => describeIssue(issue, [])) };
}

function describeIssue(issue: Issue, base: Path): Diagnostic[] {
  const path = [...base, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ level: 'error', path: [...path, key], message: describeUnknownKey(key) }));
    case 'invalid_union': {
      // When one branch matched the value's type and failed deeper, its issues are the useful ones.
      const deeper = issue.errors.find((branch) => branch.every((inner) => !(inner.code === 'invalid_type' && inner.path.length === 0)));
      if (deeper) return deeper.flatMap((inner) => describeIssue(inner, path));
      return [{ level: 'error', path, message: issue.message }];
    }
    case 'invalid_key':
      // A record key that broke its rule: name the key itself, with the rule's message.
      return issue.issues.map((inner) => ({ level: 'error', path, message: inner.message }));
    case 'invalid_type':
      if (issue.input === undefined) return [{ level: 'error', path, message: `required (${plainMessage(issue)})` }];
      return [{ level: 'error', path, message: `${plainMessage(issue)}, got ${describeValue(issue.input)}` }];
    default:
      return [{ level: 'error', path, message: issue.message }];
  }
}

function plainMessage(issue: z.core.$ZodIssueInvalidType): string {
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  const expected = String(issue.expected);
  return `expected ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected === 'record' ? 'map' : expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function describeUnknownKey(key: string): string {
  const suggestion = KNOWN_KEYS.find((known) => editDistance(known, key) <= 2 && known !== key);
  return suggestion ? `unknown key (did you mean "${suggestion}"?)` : 'unknown key';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

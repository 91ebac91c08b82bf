/**
 * `${VAR}` interpolation over parsed YAML values (never over raw text, so a variable's value
 * cannot inject YAML). `$${VAR}` stays literal. Every substituted value is remembered so the
 * redactor can scrub it from everything the run prints or stores.
 */
import type { Diagnostic } from './diagnostics.js';
import { formatPath, type Path } from './diagnostics.js';

const PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Where one variable was substituted, for redaction decisions. */
export interface Substitution {
  readonly name: string;
  readonly value: string;
  readonly path: Path;
}

/** The interpolated document, with every substitution and every missing variable. */
export interface Interpolated {
  readonly value: unknown;
  readonly substitutions: readonly Substitution[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Replaces `${VAR}` in every string of a parsed document with values from `env`. */
export function interpolateEnv(document: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const substitutions: Substitution[] = [];
  const diagnostics: Diagnostic[] = [];

  function visit(value: unknown, path: Path): unknown {
    if (typeof value === 'string') return substitute(value, path);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  }

  function substitute(text: string, path: Path): string {
    return text.replace(PATTERN, (_match, escaped: string, name: string) => {
      if (escaped) return `\${${name}}`;
      const value = env[name];
      if (value === undefined) {
        diagnostics.push({ level: 'error', path, message: `environment variable ${name} is not set` });
        return '';
      }
      substitutions.push({ name, value, path });
      return value;
    });
  }

  return { value: visit(document, []), substitutions, diagnostics };
}

/** Fields that hold addresses shown on the board, not secrets. */
const ADDRESS_FIELD = /^apps\.[^.]+\.(production_url|smoke_url|allow_hosts(\[\d+\])?)$/;

/**
 * The values the redactor must hide: every interpolated value, except a variable used only in
 * an app's address fields (its base URL is shown on the board by design). Values shorter than
 * four characters cannot be scrubbed without mangling ordinary text; they are returned apart
 * so `config check` can warn about them.
 */
export function selectSecrets(substitutions: readonly Substitution[]): { secrets: string[]; tooShort: Substitution[] } {
  const byName = new Map<string, Substitution[]>();
  for (const sub of substitutions) byName.set(sub.name, [...(byName.get(sub.name) ?? []), sub]);
  const secrets = new Set<string>();
  const tooShort: Substitution[] = [];
  for (const uses of byName.values()) {
    if (uses.every((use) => ADDRESS_FIELD.test(formatPath(use.path)))) continue;
    const first = uses[0];
    if (!first || first.value === '') continue;
    if (first.value.length < 4) tooShort.push(first);
    else secrets.add(first.value);
  }
  return { secrets: [...secrets], tooShort };
}

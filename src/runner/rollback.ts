/** Renders the rollback command from the app's template; never guesses a missing value. */
import type { ReleaseInfo } from './run-result.js';

/** The rendered command, or null with the placeholders nobody gave a value for, or whose value is unsafe. */
export interface RenderedRollback {
  readonly command: string | null;
  readonly missing: readonly string[];
  /** Placeholders whose value a shell would run or split (`v1$(id)`, `abc;curl …|sh`): never pasted. */
  readonly unsafe: readonly { readonly name: string; readonly value: string }[];
}

/**
 * What a value may hold to be pasted into a command someone will run: letters, digits and
 * `. _ / : @ % + = , ~ ^ -`, not starting with `-` (an option). Versions, commit shas, branch and
 * image names fit; anything a shell interprets (`$ \` ; | & < > ( ) { } * ? [ ] ! # ' "`,
 * spaces, newlines) does not. Refused rather than quoted: a template may put the placeholder
 * inside its own quotes (`--to "{version}"`), where quoting would not protect it.
 */
const SAFE_VALUE = /^(?!-)[A-Za-z0-9._/:@%+=,~^-]+$/;

/** How the warning about an incomplete rollback command starts (recording replaces it; red pages quote it). */
const ROLLBACK_WARNING = 'the rollback command needs ';

/** Whether a run's warning is the one about an incomplete rollback command. */
export function isRollbackWarning(warning: string): boolean {
  return warning.startsWith(ROLLBACK_WARNING);
}

/**
 * The run result's `rollback` (redacted) and, on red only (only then is it printed), a warning
 * naming what the template still needs.
 */
export function rollbackOf(template: string, app: string, release: ReleaseInfo | null, verdict: 'green' | 'red' | 'error', redact: (text: string) => string): { rollback: string | null; warnings: string[] } {
  const rendered = renderRollback(template, app, release);
  const warnings: string[] = [];
  if (verdict === 'red' && rendered.unsafe.length > 0) {
    const shown = rendered.unsafe.map((u) => `{${u.name}} is ${JSON.stringify(u.value.length > 80 ? `${u.value.slice(0, 80)}…` : u.value)}`).join(', ');
    warnings.push(`${ROLLBACK_WARNING}values a shell would not run or split: ${shown}; only letters, digits and . _ / : @ % + = , ~ ^ - are pasted into it (not a leading -), so no command is printed`);
  }
  const missing = rendered.missing.filter((m) => !rendered.unsafe.some((u) => u.name === m));
  if (verdict === 'red' && missing.length > 0) {
    warnings.push(`${ROLLBACK_WARNING}${missing.map((m) => `{${m}}`).join(', ')}: pass ${missing.map((m) => `--${m.replace(/_/g, '-')}`).join(', ')} (or record them with \`seal release record\`) to print it`);
  }
  return { rollback: rendered.command === null ? null : redact(rendered.command), warnings };
}

/** Fills `{app} {version} {sha} {merge_sha} {previous_version}` in a rollback template. */
export function renderRollback(template: string, app: string, release: ReleaseInfo | null): RenderedRollback {
  const values: Record<string, string | null | undefined> = {
    app,
    version: release?.version,
    sha: release?.sha,
    merge_sha: release?.merge_sha,
    previous_version: release?.previous_version,
  };
  const missing = new Set<string>();
  const unsafe = new Map<string, string>();
  const command = template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined || value === null || value === '') {
      missing.add(name);
      return placeholder;
    }
    if (!SAFE_VALUE.test(value)) {
      unsafe.set(name, value);
      missing.add(name);
      return placeholder;
    }
    return value;
  });
  const refused = [...unsafe].map(([name, value]) => ({ name, value }));
  return missing.size > 0 ? { command: null, missing: [...missing], unsafe: refused } : { command, missing: [], unsafe: [] };
}

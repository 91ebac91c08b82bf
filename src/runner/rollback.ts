/** Renders the rollback command from the app's template; never guesses a missing value. */
import type { ReleaseInfo } from './run-result.js';

/** The rendered command, or null with the placeholders nobody gave a value for. */
export interface RenderedRollback {
  readonly command: string | null;
  readonly missing: readonly string[];
}

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
  const warnings = verdict === 'red' && rendered.missing.length > 0
    ? [`${ROLLBACK_WARNING}${rendered.missing.map((m) => `{${m}}`).join(', ')}: pass ${rendered.missing.map((m) => `--${m.replace(/_/g, '-')}`).join(', ')} (or record them with \`seal release record\`) to print it`]
    : [];
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
  const command = template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined || value === null || value === '') {
      missing.add(name);
      return placeholder;
    }
    return value;
  });
  return missing.size > 0 ? { command: null, missing: [...missing] } : { command, missing: [] };
}

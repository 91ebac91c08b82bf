/** The small typed family of errors that cross module boundaries; each says what to do next. */
import type { Diagnostic } from './config/diagnostics.js';
import { formatDiagnostic } from './config/diagnostics.js';

/** Base class: a message for humans, a stable name for code, an optional cause. */
export class SealError extends Error {
  override readonly name: string = 'SealError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The config could not be read or is invalid; carries every diagnostic, not only the first. */
export class ConfigError extends SealError {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly diagnostics: readonly Diagnostic[],
    options?: { cause?: unknown },
  ) {
    const errors = diagnostics.filter((d) => d.level === 'error');
    super(
      `${source}: ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`,
      options,
    );
  }
}

/** The named app is not in the config. */
export class UnknownAppError extends SealError {
  override readonly name = 'UnknownAppError';
  constructor(app: string, known: readonly string[], source: string) {
    super(`app "${app}" is not in ${source} (apps: ${known.join(', ') || 'none'})`);
  }
}

/**
 * What went wrong, in the words of whoever knew: a database error wrapped by the query builder
 * ("Failed query: <the whole SQL> params: …") is told by its cause ("canceling statement due to
 * lock timeout"), which says what happened without echoing the statement and its values.
 */
export function errorMessage(error: unknown): string {
  const own = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (own.startsWith('Failed query:') && cause instanceof Error && cause.message) return cause.message;
  return own;
}

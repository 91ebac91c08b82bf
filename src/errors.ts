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
  const first = unwrapQuery(error);
  let told = describeOne(first);
  // A cause that says more is kept ("cannot open the store: … (no space left on device)"), a few
  // levels at most, by a loop: the chain came from elsewhere.
  let next = causeOf(first);
  for (let depth = 0; next !== undefined && next !== null && depth < 3; depth++) {
    const link = unwrapQuery(next);
    const said = describeOne(link);
    if (said && !told.includes(said)) told = `${told} (${said})`;
    next = causeOf(link);
  }
  return told;
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
}

/** The query builder's wrapper ("Failed query: <SQL> params: …") stands for its cause: the SQL and its values are never told. */
function unwrapQuery(error: unknown): unknown {
  const cause = causeOf(error);
  return error instanceof Error && error.message.startsWith('Failed query:') && cause !== undefined ? cause : error;
}

/** The errno names the WebAssembly file system (PGlite's) throws as bare numbers. */
const ERRNO_NAMES: Record<number, string> = { 51: 'ENOSPC: no space left on device', 44: 'ENOENT: no such file or directory', 2: 'EACCES: permission denied', 63: 'EPERM: operation not permitted', 69: 'EROFS: read-only file system', 29: 'EIO: input/output error', 48: 'ENOMEM: out of memory' };

/** One error, never "[object Object]": its message, else its code, errno or name, else its JSON. */
function describeOne(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error === null || error === undefined || typeof error !== 'object') return String(error);
  const fields = error as { message?: unknown; code?: unknown; errno?: unknown; name?: unknown };
  const message = typeof fields.message === 'string' && fields.message.trim() ? fields.message : '';
  // System error codes (ENOSPC, ECONNREFUSED) say something; a database's SQLSTATE (55P03) does not, beside its message.
  const code = typeof fields.code === 'string' && /^E[A-Z0-9_]+$/.test(fields.code) ? fields.code : '';
  const errno = typeof fields.errno === 'number' ? (ERRNO_NAMES[fields.errno] ?? `errno ${fields.errno}`) : '';
  const known = [code && !message.includes(code) && !errno.startsWith(code) ? code : '', message, errno && !message.includes(errno) ? errno : ''].filter(Boolean);
  if (known.length > 0) return known.join(': ');
  const name = typeof fields.name === 'string' && fields.name !== 'Error' ? fields.name : '';
  let json: string;
  try {
    json = JSON.stringify(error) ?? '';
  } catch {
    // A cycle or a BigInt: nothing to show but its kind.
    json = '';
  }
  const shown = json && json !== '{}' ? (json.length > 200 ? `${json.slice(0, 200)}…` : json) : '';
  return [name, shown].filter(Boolean).join(' ') || `${Object.prototype.toString.call(error)} with no message`;
}

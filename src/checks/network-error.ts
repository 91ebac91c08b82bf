/** One line for any failure to reach production, shared by every check kind. */

/** Says in one line why production could not be reached; the error code helps a search. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : null;
  const code = (error as NodeJS.ErrnoException).code ?? (cause && 'code' in cause ? String(cause.code) : undefined);
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'aborted';
  const message = cause && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

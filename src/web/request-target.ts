/**
 * The request target (path and query) as a client sent it, checked before any route sees it: a
 * NUL (`%00`) or a percent-encoding that is not UTF-8 (`%ZZ`, `%C0%80`, a cut `%E2%82`) is a
 * client's mistake, answered with 400 naming it, never passed on to the store (Postgres refuses
 * NUL in text, which became a 500 with a stack in the log).
 */

/** What is wrong with the URL's path or query, or null when nothing is. */
export function requestTargetProblem(url: string): string | null {
  // The target starts at the first "/" after the scheme and authority (Hono hands a full URL).
  const authority = url.indexOf('//');
  const start = url.indexOf('/', authority < 0 ? 0 : authority + 2);
  if (start < 0) return null;
  const hash = url.indexOf('#', start);
  const target = url.slice(start, hash < 0 ? undefined : hash);
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = mark < 0 ? '' : target.slice(mark + 1);
  const pathProblem = partProblem(path);
  if (pathProblem) return `the path ${pathProblem}`;
  // Form encoding: "+" is a space, each name and value decoded on its own.
  for (const field of query.split('&')) {
    for (const part of field.split('=')) {
      const problem = partProblem(part.replace(/\+/g, ' '));
      if (problem) return `the query ${problem}`;
    }
  }
  return null;
}

function partProblem(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return 'is not valid percent-encoded UTF-8';
  }
  return decoded.includes('\u0000') ? 'holds a NUL character (%00)' : null;
}

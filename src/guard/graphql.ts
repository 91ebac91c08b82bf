/**
 * Which GraphQL operations a request body would run, for `allow_requests` entries with
 * `graphql: queries`. The body is the team's request, not production's, but it is still read
 * with bounds: a size cap (the caller's), a nesting limit checked without recursion before the
 * parser (graphql-js parses recursively), and the parser's own token limit.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

/** Deepest nesting of `{`, `(` and `[` accepted before parsing. */
const MAX_NESTING = 64;
/** The parser stops after this many tokens. */
const MAX_TOKENS = 20_000;
/** Most operations in one batched request. */
const MAX_BATCH = 50;

/** The operation type each request in the body would run, or why that cannot be told. */
export type GraphqlOperations =
  | { readonly ok: true; readonly operations: readonly ('query' | 'mutation' | 'subscription')[] }
  | { readonly ok: false; readonly why: string };

/** Reads a GraphQL-over-HTTP body: JSON `{ query, operationName }` (or a batch of them), or `application/graphql`. */
export function graphqlOperations(body: string, contentType: string | undefined): GraphqlOperations {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/graphql')) return operationsOf([{ query: body, operationName: null }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, why: `the body is not JSON (content-type ${contentType ?? 'none'})` };
  }
  const requests = Array.isArray(parsed) ? parsed : [parsed];
  if (requests.length === 0) return { ok: false, why: 'an empty batch' };
  if (requests.length > MAX_BATCH) return { ok: false, why: `a batch of ${requests.length} operations (at most ${MAX_BATCH} are read)` };
  const shaped: { query: string; operationName: string | null }[] = [];
  for (const request of requests) {
    if (request === null || typeof request !== 'object') return { ok: false, why: 'a request that is not a JSON object' };
    const { query, operationName } = request as { query?: unknown; operationName?: unknown };
    // A persisted query sends only a hash: what it runs cannot be read here.
    if (typeof query !== 'string') return { ok: false, why: 'no query text (a persisted query cannot be checked)' };
    shaped.push({ query, operationName: typeof operationName === 'string' ? operationName : null });
  }
  return operationsOf(shaped);
}

function operationsOf(requests: readonly { query: string; operationName: string | null }[]): GraphqlOperations {
  const operations: ('query' | 'mutation' | 'subscription')[] = [];
  for (const { query, operationName } of requests) {
    const depth = nestingDepth(query);
    if (depth > MAX_NESTING) return { ok: false, why: `a document nested ${depth} deep (at most ${MAX_NESTING})` };
    let definitions: readonly OperationDefinitionNode[];
    try {
      definitions = parse(query, { noLocation: true, maxTokens: MAX_TOKENS }).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    } catch (error) {
      return { ok: false, why: `the document does not parse: ${(error as Error).message.split('\n')[0] ?? ''}` };
    }
    const chosen = operationName === null
      ? (definitions.length === 1 ? definitions[0] : undefined)
      : definitions.find((d) => d.name?.value === operationName);
    if (!chosen) {
      return { ok: false, why: operationName === null ? `${definitions.length} operations and no operationName` : `no operation named ${JSON.stringify(operationName)}` };
    }
    operations.push(chosen.operation);
  }
  return { ok: true, operations };
}

/** Deepest bracket nesting outside strings and comments, counted in one pass (no recursion). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const block = text.startsWith('"""', i);
      const close = block ? text.indexOf('"""', i + 3) : findQuote(text, i + 1);
      if (close < 0) return deepest;
      i = block ? close + 2 : close;
    } else if (c === '{' || c === '(' || c === '[') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === '}' || c === ')' || c === ']') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

function findQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

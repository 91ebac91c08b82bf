import { describe, expect, it } from 'vitest';
import { nestingDepth } from './graphql.js';
import { decideBody, decideRequest, isBrowserBackgroundHost, type AllowRule } from './policy.js';

const url = (path: string) => new URL(`https://studio.example.com${path}`);
const graphqlRule: AllowRule = { method: 'POST', path: '/graphql', reason: 'GraphQL queries read', graphql: 'queries' };
const searchRule: AllowRule = { method: 'POST', path: '/search/*', reason: 'search reads with a POST body', graphql: null };

describe('what the guard lets through', () => {
  it('reads pass, every other method is a write', () => {
    for (const method of ['GET', 'head', 'OPTIONS']) expect(decideRequest(method, url('/'), {}, true, [])).toEqual({ kind: 'read' });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'purge']) {
      expect(decideRequest(method, url('/'), {}, true, [])).toEqual({ kind: 'write', why: method.toUpperCase() });
    }
  });

  it('a read that asks the server to act as a write (override header or _method=) is a write', () => {
    expect(decideRequest('GET', url('/items/1'), { 'x-http-method-override': 'DELETE' }, true, [])).toEqual({ kind: 'write', why: 'GET with x-http-method-override: DELETE' });
    expect(decideRequest('GET', url('/items/1'), { 'x-http-method': ['GET', 'put'] }, true, [])).toEqual({ kind: 'write', why: 'GET with x-http-method: PUT' });
    expect(decideRequest('HEAD', url('/items/1?_method=patch'), {}, true, [])).toEqual({ kind: 'write', why: 'HEAD with _method=PATCH' });
    // Naming a read is harmless.
    expect(decideRequest('GET', url('/items?_method=GET'), { 'x-method-override': 'HEAD' }, true, [])).toEqual({ kind: 'read' });
  });

  it('an allow rule lets its method and path through on production only, with its reason', () => {
    expect(decideRequest('POST', url('/search/users'), {}, true, [searchRule])).toEqual({ kind: 'allowed', rule: searchRule });
    expect(decideRequest('POST', url('/search'), {}, true, [searchRule])).toEqual({ kind: 'write', why: 'POST' });
    expect(decideRequest('PUT', url('/search/users'), {}, true, [searchRule])).toEqual({ kind: 'write', why: 'PUT' });
    // The same path on a host that is not production stays blocked.
    expect(decideRequest('POST', url('/search/users'), {}, false, [searchRule])).toEqual({ kind: 'write', why: 'POST' });
    expect(decideRequest('POST', url('/graphql'), {}, true, [graphqlRule])).toEqual({ kind: 'needs-body', rule: graphqlRule });
  });

  it('GraphQL: a query goes through; a mutation, a subscription and anything unreadable do not', async () => {
    const json = (body: unknown) => decideBody(graphqlRule, JSON.stringify(body), 'application/json');
    expect(await json({ query: '{ viewer { name } }' })).toEqual({ allowed: true });
    expect(await json({ query: 'query Me { viewer { name } } mutation Bye { logout }', operationName: 'Me' })).toEqual({ allowed: true });
    expect(await decideBody(graphqlRule, 'query { health }', 'application/graphql; charset=utf-8')).toEqual({ allowed: true });
    expect(await json([{ query: '{ a }' }, { query: 'query B { b }' }])).toEqual({ allowed: true });

    expect(await json({ query: 'mutation { deleteEverything }' })).toEqual({ allowed: false, why: 'POST /graphql: a GraphQL mutation' });
    expect(await json({ query: 'query Me { viewer { name } } mutation Bye { logout }', operationName: 'Bye' })).toEqual({ allowed: false, why: 'POST /graphql: a GraphQL mutation' });
    expect(await json({ query: 'subscription { ticks }' })).toEqual({ allowed: false, why: 'POST /graphql: a GraphQL subscription' });
    expect(await json([{ query: '{ a }' }, { query: 'mutation { b }' }])).toEqual({ allowed: false, why: 'POST /graphql: a GraphQL mutation' });
    expect(await json({ query: 'query A { a } query B { b }' })).toEqual({ allowed: false, why: 'POST /graphql: 2 operations and no operationName' });
    expect(await json({ query: '{ a }', operationName: 'Missing' })).toEqual({ allowed: false, why: 'POST /graphql: no operation named "Missing"' });
    expect(await json({ extensions: { persistedQuery: { sha256Hash: 'abc' } } })).toEqual({ allowed: false, why: 'POST /graphql: no query text (a persisted query cannot be checked)' });
    expect(await json({ query: 'query {' })).toMatchObject({ allowed: false, why: expect.stringMatching(/^POST \/graphql: the document does not parse: Syntax Error/) });
    expect(await decideBody(graphqlRule, 'query=mutation', 'application/x-www-form-urlencoded')).toEqual({ allowed: false, why: 'POST /graphql: the body is not JSON (content-type application/x-www-form-urlencoded)' });
  });

  it('a hostile GraphQL document is refused before the recursive parser sees it, and no stack overflows', async () => {
    const deep = `{ ${'a { '.repeat(50_000)}b${' }'.repeat(50_000)} }`;
    expect(await decideBody(graphqlRule, JSON.stringify({ query: deep }), 'application/json')).toEqual({ allowed: false, why: 'POST /graphql: a document nested 50001 deep (at most 64)' });
    const long = `{ ${'a '.repeat(30_000)}}`;
    expect(await decideBody(graphqlRule, JSON.stringify({ query: long }), 'application/json')).toMatchObject({ allowed: false, why: expect.stringContaining('tokens') });
    // Brackets inside strings and comments do not count.
    expect(nestingDepth('{ a(s: "{{{{{{", t: """ [[[[ """) # {{{{\n }')).toBe(2);
    expect(await decideBody(graphqlRule, JSON.stringify(Array.from({ length: 51 }, () => ({ query: '{ a }' }))), 'application/json')).toEqual({ allowed: false, why: 'POST /graphql: a batch of 51 operations (at most 50 are read)' });
  });

  it('knows the hosts Chromium talks to on its own, and only those', () => {
    expect(isBrowserBackgroundHost('update.googleapis.com')).toBe(true);
    expect(isBrowserBackgroundHost('Safebrowsing.googleapis.com.')).toBe(true);
    expect(isBrowserBackgroundHost('r3---sn-abc.gvt1.com')).toBe(true);
    expect(isBrowserBackgroundHost('fonts.googleapis.com')).toBe(false);
    expect(isBrowserBackgroundHost('studio.example.com')).toBe(false);
  });
});

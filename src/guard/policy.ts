/**
 * What the read-only guard lets through: the pure decision for one request. A read (GET, HEAD,
 * OPTIONS) passes; anything else is a write and is answered by the guard, unless an
 * `allow_requests` entry names it as a read (a search over POST, a GraphQL query). A GET that
 * asks the server to treat it as another method (`X-HTTP-Method-Override: DELETE`,
 * `?_method=DELETE`) is a write. Pure: no I/O, tested on its own.
 */
import { READ_ONLY_METHODS } from '../config/schema.js';

/** A request that writes by its method but is a read, named in the config with the reason. */
export interface AllowRule {
  /** Upper-case method (POST, PUT, …). */
  readonly method: string;
  /** An exact path (`/graphql`), or a prefix ending in `*` (`/search/*`). */
  readonly path: string;
  readonly reason: string;
  /** `queries`: the body must be a GraphQL document whose operation is a query. */
  readonly graphql: 'queries' | null;
}

/** The guard's answer to one request. */
export type Decision =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly why: string }
  /** An allow rule matches but its body must be read first (a GraphQL rule). */
  | { readonly kind: 'needs-body'; readonly rule: AllowRule }
  | { readonly kind: 'allowed'; readonly rule: AllowRule };

/** Headers a server may honour as "treat this request as another method". */
export const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/** True for GET, HEAD and OPTIONS (any case). */
export function isReadMethod(method: string): boolean {
  return (READ_ONLY_METHODS as readonly string[]).includes(method.toUpperCase());
}

/** The write method a read asks the server to use instead (header or `_method=`), or null. */
export function methodOverrideOf(url: URL, headers: Readonly<Record<string, string | string[] | undefined>>): string | null {
  for (const name of METHOD_OVERRIDE_HEADERS) {
    const raw = headers[name];
    for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
      if (!isReadMethod(value.trim())) return `${name}: ${value.trim().toUpperCase()}`;
    }
  }
  for (const value of url.searchParams.getAll('_method')) {
    if (!isReadMethod(value.trim())) return `_method=${value.trim().toUpperCase()}`;
  }
  return null;
}

/** True when a rule's path matches the request path (exact, or a `*` prefix). */
export function pathMatches(rulePath: string, path: string): boolean {
  return rulePath.endsWith('*') ? path.startsWith(rulePath.slice(0, -1)) : path === rulePath;
}

/**
 * Decides a request from its method, URL and headers. `toProduction`: the host is one of
 * production's (by name or address); allow rules apply only there.
 */
export function decideRequest(method: string, url: URL, headers: Readonly<Record<string, string | string[] | undefined>>, toProduction: boolean, rules: readonly AllowRule[]): Decision {
  const upper = method.toUpperCase();
  if (isReadMethod(upper)) {
    const override = methodOverrideOf(url, headers);
    return override ? { kind: 'write', why: `${upper} with ${override}` } : { kind: 'read' };
  }
  const rule = toProduction ? rules.find((r) => r.method === upper && pathMatches(r.path, url.pathname)) : undefined;
  if (!rule) return { kind: 'write', why: upper };
  return rule.graphql ? { kind: 'needs-body', rule } : { kind: 'allowed', rule };
}

/** Decides a `needs-body` request once its body is read: allowed, or a write with the reason. */
export async function decideBody(rule: AllowRule, body: string, contentType: string | undefined): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly why: string }> {
  // graphql-js (about 1 MB of code) loads only when a request asks for it, not with every seal.
  const { graphqlOperations } = await import('./graphql.js');
  const found = graphqlOperations(body, contentType);
  if (!found.ok) return { allowed: false, why: `${rule.method} ${rule.path}: ${found.why}` };
  const notQuery = found.operations.find((op) => op !== 'query');
  return notQuery ? { allowed: false, why: `${rule.method} ${rule.path}: a GraphQL ${notQuery}` } : { allowed: true };
}

/**
 * Hosts Chromium talks to on its own (component updates, safe browsing, optimisation hints),
 * whatever its flags say. A page under test never needs them: the guard answers them locally,
 * and they are not the team's writes.
 */
const BROWSER_BACKGROUND_HOSTS = [
  'update.googleapis.com',
  'safebrowsing.googleapis.com',
  'safebrowsingohttpgateway.googleapis.com',
  'optimizationguide-pa.googleapis.com',
  'content-autofill.googleapis.com',
  'clientservices.googleapis.com',
  'clients1.google.com',
  'clients2.google.com',
  'clients4.google.com',
  'accounts.google.com',
  'redirector.gvt1.com',
];

/** True for a host only Chromium itself talks to (and its `*.gvt1.com` download mirrors). */
export function isBrowserBackgroundHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return BROWSER_BACKGROUND_HOSTS.includes(name) || name.endsWith('.gvt1.com');
}

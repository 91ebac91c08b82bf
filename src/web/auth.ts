/**
 * Who may do what on a seal server. Writes need a `write` token in `Authorization: Bearer`
 * (never a cookie, so another site cannot make a browser write). Reading is open on a loopback
 * server or with `--public`; otherwise it needs a token too, from the header or from the
 * HttpOnly cookie the login form sets.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { withActor } from '../store/audit.js';
import type { TokenScope, TokenStore, VerifiedToken } from '../store/tokens.js';

/** The cookie the login form sets (read access only). */
export const TOKEN_COOKIE = 'seal_token';

/** Whether reading needs a token. */
export type ReadAccess = 'open' | 'token';

/** The verified token of the request, set by the middleware. */
export type AuthVariables = { token: VerifiedToken | null };

function bearerOf(c: Context): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  // Another scheme (a proxy's Basic auth) is not ours: the cookie may still be.
  if (!/^Bearer\b/i.test(header)) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** Requires a token of `scope` (a write token may also read); answers 401/403 JSON, or sends a browser to the login form. */
export function requireToken(tokens: TokenStore, scope: TokenScope, { cookie = false, loginRedirect = false } = {}): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function checkToken(c, next) {
    // A bearer token, or (for pages) the board's session cookie, which holds a session id, never a token.
    const bearer = bearerOf(c);
    const session = bearer === null && cookie ? (getCookie(c, TOKEN_COOKIE) ?? null) : null;
    const presented = bearer ?? session;
    const token = bearer ? await tokens.verify(bearer) : session ? await tokens.verifySession(session) : null;
    if (!token) {
      if (loginRedirect && c.req.method === 'GET') {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      c.header('WWW-Authenticate', `Bearer realm="smoke-seal"${presented ? ', error="invalid_token"' : ''}`);
      const reason = presented === null
        ? `this needs a ${scope} token: send "Authorization: Bearer <token>" (create one with \`seal token create --name NAME\`)`
        : 'the token is malformed, unknown or revoked';
      return c.json({ error: reason }, 401);
    }
    if (scope === 'write' && token.scope !== 'write') {
      return c.json({ error: `token ${token.id} (${token.name}) may only read; this needs a write token` }, 403);
    }
    c.set('token', token);
    // Whatever this request changes is the token's doing in the audit log.
    await withActor(`token ${token.name} (${token.id})`, () => next());
  };
}

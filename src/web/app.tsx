/** @jsxImportSource hono/jsx */
/**
 * The seal server as a Hono app: the board, badges, live updates and the JSON API.
 * `createApp(deps)` never listens: tests call `app.request()`; server.ts serves it.
 */
import { PAGE_CACHE_MS, PageCache, type RenderedPage } from './page-cache.js';
import { AuditLog, type AuditReport } from '../store/audit.js';
import { auditStatus } from './audit-watch.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context, type Next } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import { errorMessage } from '../errors.js';
import { incidentId } from '../store/incidents.js';
import { createApiRoutes, problem } from './api/routes.js';
import { requireToken, TOKEN_COOKIE, type AuthVariables } from './auth.js';
import { DEFAULT_MAX_STREAMS, type WebDeps } from './deps.js';
import { BOARD_CSS, BOARD_JS } from './pages/assets.js';
import { renderBadge } from './pages/badge.js';
import { BOARD_VERDICTS, DeploymentsPage } from './pages/deployments.js';
import { IncidentPage, IncidentsPage } from './pages/incidents.js';
import { Page } from './pages/layout.js';
import { LoginPage } from './pages/login.js';
import { ReleasePage } from './pages/release.js';
import { ladderOf } from '../evidence/ladder.js';
import { DEFAULT_VOCABULARY } from '../evidence/tiers.js';
import { CreditStore } from '../store/credits.js';
import { requestTargetProblem } from './request-target.js';

type Env = { Variables: AuthVariables };

const PAGE_SIZE = 50;
/** How often an idle live stream says it is still there (proxies close silent connections). */
const PING_MS = 15_000;

function asset(body: string, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return (c: Context) => {
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.body(body, 200, { 'content-type': type, etag, 'cache-control': 'public, max-age=300' });
  };
}

/** A path inside this server to go back to after signing in (never another site). */
function safeNext(next: unknown): string {
  // Browsers drop tabs and newlines from URLs ("/\t/evil.example" is "//evil.example"): a path
  // with any control character, space or backslash is refused, as is one starting "//".
  return typeof next === 'string' && /^\/(?!\/)[^\p{Cc}\s\\]*$/u.test(next) ? next : '/deployments';
}

/** The cookie that holds the sign-in form's CSRF value (scoped to /login). */
const LOGIN_CSRF_COOKIE = 'seal_login_csrf';

/** Equal texts, compared in constant time. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client's address, as the socket has it (behind a reverse proxy: the proxy's); "unknown" without a socket (tests through app.request). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A page's HTML as text (to keep it). */
async function renderHtml(node: string | Promise<string>): Promise<string> {
  return node;
}

/** Builds the app. */
export function createApp(deps: WebDeps): Hono<Env> {
  const { ledger, tokens, evidence, incidents, events, logger } = deps;
  const now = deps.now ?? (() => new Date());
  // The audit log's newest verification by this server, for the board (null: the server does not verify it).
  const auditView = () => (deps.audit ? { status: deps.audit.latest() ? auditStatus(deps.audit.latest() as AuditReport) : null, failure: deps.audit.failure() } : null);
  const app = new Hono<Env>();
  // Rendered pages, served again for a moment (page-cache.ts), keyed by the audit log's head:
  // any change recorded through smoke-seal, by this server or any other process (the CLI on the
  // shared store, another server), moves it, so a kept page is never older than the last change.
  const pages = new PageCache(deps.pageCacheMs ?? PAGE_CACHE_MS);
  const headSeq = async (): Promise<number> => (await new AuditLog(ledger.db).head()).seq;

  app.use('*', async function logRequest(c, next) {
    const started = performance.now();
    await next();
    // The path only: query strings and headers (tokens, cookies) are never logged.
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  // A NUL or a broken percent-encoding in the path or query is the client's mistake: 400, before any route.
  app.use('*', async function checkTarget(c: Context<Env, string>, next: Next) {
    const wrong = requestTargetProblem(c.req.url);
    if (!wrong) return next();
    const message = `bad request: ${wrong}`;
    return c.req.path.startsWith('/api/') || !c.req.header('accept')?.includes('text/html') ? problem(c, 400, message) : c.html(<ErrorPage status={400} message={`${message[0]?.toUpperCase() ?? ''}${message.slice(1)}.`} />, 400);
  });
  // Badges are meant for other sites' pages (READMEs): they may be loaded cross-origin.
  app.use('/apps/*', async function allowEmbedding(c, next) {
    await next();
    c.res.headers.set('cross-origin-resource-policy', 'cross-origin');
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );

  app.get('/healthz', async (c) => {
    try {
      await ledger.changeMark();
      return c.json({ status: 'ok' });
    } catch (error) {
      logger.error({ err: error }, 'health check: the store does not answer');
      return c.json({ status: 'unavailable', error: 'the store does not answer' }, 503);
    }
  });
  app.get('/assets/board.css', asset(BOARD_CSS, 'text/css; charset=utf-8'));
  app.get('/assets/board.js', asset(BOARD_JS, 'text/javascript; charset=utf-8'));
  app.get('/', (c) => c.redirect('/deployments', 302));
  // Browsers ask for it on every page; nothing to show, and no 404 in their console.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));

  if (deps.readAccess === 'token') {
    // Sign-in is protected against login CSRF by a double-submit value: the form carries it, and
    // a SameSite=Strict cookie scoped to /login holds it too; a form posted from another site
    // has no cookie (or the wrong value) and is refused.
    const secureCookie = (c: Context): boolean => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
    const loginForm = (c: Context<Env, string>, next: string, problem: string | null, status: 200 | 401 | 403) => {
      const csrf = randomBytes(18).toString('base64url');
      setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Strict', path: '/login', secure: secureCookie(c), maxAge: 3600 });
      return c.html(<LoginPage next={next} problem={problem} csrf={csrf} />, status);
    };
    app.get('/login', (c) => loginForm(c, safeNext(c.req.query('next')), null, 200));
    app.post('/login', bodyLimit({ maxSize: 16 * 1024, onError: (c) => problem(c, 413, 'the form is too large') }), async (c) => {
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch (error) {
        // A client's mistake: a 400 through onError, without a stack in the log.
        throw new HTTPException(400, { message: `the form cannot be read: ${errorMessage(error)}` });
      }
      const next = safeNext(form.next);
      const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
      if (!expected || typeof form.csrf !== 'string' || !sameText(form.csrf, expected)) {
        return loginForm(c, next, 'This sign-in form expired or did not come from this board: sign in again.', 403);
      }
      const token = typeof form.token === 'string' ? await tokens.verify(form.token.trim()) : null;
      if (!token) return loginForm(c, next, 'That token is malformed, unknown or revoked.', 401);
      // A write token is for CI: one leaked from a browser could record seals. The board takes read tokens only.
      if (token.scope !== 'read') return loginForm(c, next, `Token ${token.id} (${token.name}) is a write token, for CI: sign in with a read token (seal token create --name NAME --scope read).`, 403);
      // The cookie holds a session id, never the token: stored hashed, expiring, ended with its token.
      const session = await tokens.createSession(token.id);
      setCookie(c, TOKEN_COOKIE, session.id, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        // Behind a TLS-terminating proxy the request itself is plain http.
        secure: secureCookie(c),
        expires: session.expiresAt,
      });
      deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
      return c.redirect(next, 303);
    });
    const read = requireToken(tokens, 'read', { cookie: true, loginRedirect: true });
    app.use('*', async function readGuard(c: Context<Env, string>, next: Next) {
      // The API guards itself (JSON answers, its description public).
      if (c.req.path.startsWith('/api/') || c.req.path === '/api') return next();
      return read(c, next);
    });
  }

  app.route('/api', createApiRoutes(deps));

  app.get('/deployments', async (c) => {
    const app = c.req.query('app') || null;
    const before = c.req.query('before');
    const beforeId = before ? Number(before) : null;
    if (beforeId !== null && (!Number.isSafeInteger(beforeId) || beforeId < 1)) return c.html(<ErrorPage status={400} message={`"before" must be a release id from an "Older" link, got ${JSON.stringify(before)}`} />, 400);
    const asked = c.req.query('verdict') || null;
    const verdict = asked === null ? null : BOARD_VERDICTS.find((v) => v === asked);
    if (verdict === undefined) return c.html(<ErrorPage status={400} message={`"verdict" must be one of ${BOARD_VERDICTS.join(', ')}, got ${JSON.stringify(asked)}`} />, 400);
    const audit = auditView();
    const shown = await pages.get(`deployments ${JSON.stringify([app, verdict, beforeId, audit?.status?.verified_at ?? null, audit?.failure ?? null, await headSeq()])}`, async () => {
      // The overview (each app's latest seal and a chart of its last 30) heads the newest page only:
      // an older page is for its rows, and the charts were three quarters of every page's bytes.
      const [page, apps, overview] = await Promise.all([ledger.pageReleases({ app, verdict, before: beforeId, limit: PAGE_SIZE }), ledger.appNames(), beforeId === null ? ledger.appOverview({ app }) : Promise.resolve([])]);
      if (app !== null && !apps.includes(app)) return { html: await renderHtml(<ErrorPage status={404} message={`No app ${JSON.stringify(app)} in the ledger.`} />), status: 404 };
      const details = await ledger.boardDetails(page.releases);
      const tierOrder = (deps.tiers ?? DEFAULT_VOCABULARY).tiers.map((t) => t.name);
      return { html: await renderHtml(<DeploymentsPage page={page} details={details} overview={overview} apps={apps} app={app} verdict={verdict} paged={beforeId !== null} tierOrder={tierOrder} audit={audit} now={now()} />), status: 200 };
    });
    return c.html(shown.html, shown.status);
  });

  app.get('/releases/:app/:version', async (c) => {
    const { app, version } = c.req.param();
    const audit = auditView();
    const shown = await pages.get(`release ${JSON.stringify([app, version, c.req.query('run') ?? null, audit?.status?.verified_at ?? null, audit?.failure ?? null, await headSeq()])}`, () => releasePage(app, version, c.req.query('run'), audit));
    return c.html(shown.html, shown.status);
  });

  /** A release page (its run: the current seal's, or `asked`), as HTML and status. */
  async function releasePage(app: string, version: string, asked: string | undefined, audit: ReturnType<typeof auditView>): Promise<RenderedPage> {
    const release = await ledger.getRelease(app, version);
    if (!release) return { html: await renderHtml(<ErrorPage status={404} message={`No release ${JSON.stringify(version)} of app ${JSON.stringify(app)}.`} />), status: 404 };
    const runId = asked ?? release.smoke_seal?.run_id ?? null;
    const stored = runId ? await ledger.getRun(runId) : null;
    if (asked && (!stored || stored.result.app !== app || stored.version !== version)) return { html: await renderHtml(<ErrorPage status={404} message={`No run ${JSON.stringify(asked)} of ${app} ${version}.`} />), status: 404 };
    const [history, images, told, opened, credits, trail] = await Promise.all([
      ledger.sealHistory(app, version),
      stored ? evidence.names(stored.result.run_id) : Promise.resolve([]),
      stored ? deps.deliveries.ofRun(stored.result.run_id) : Promise.resolve([]),
      incidents.ofRelease(app, version),
      new CreditStore(ledger.db).current(app, version),
      new AuditLog(ledger.db).trail(app, { version, limit: 200 }),
    ]);
    const tiers = ladderOf(deps.tiers ?? DEFAULT_VOCABULARY, credits, deps.expectTiers?.(app) ?? []);
    return { html: await renderHtml(<ReleasePage release={release} history={history} run={stored?.result ?? null} images={images} deliveries={told} incidents={opened} tiers={tiers} trail={trail} audit={audit} now={now()} />), status: 200 };
  }

  app.get('/incidents', async (c) => {
    const app = c.req.query('app') || null;
    const [list, apps] = await Promise.all([incidents.list({ app }), ledger.appNames()]);
    if (app !== null && !apps.includes(app)) return c.html(<ErrorPage status={404} message={`No app ${JSON.stringify(app)} in the ledger.`} />, 404);
    return c.html(<IncidentsPage incidents={list} apps={apps} app={app} now={now()} />);
  });

  app.get('/incidents/:id', async (c) => {
    const asked = c.req.param('id');
    const id = incidentId(asked);
    const incident = id === null ? null : await incidents.get(id);
    if (!incident) return c.html(<ErrorPage status={404} message={id === null ? `No incident ${JSON.stringify(asked)}: an incident id is a number (see /incidents).` : `No incident ${id}.`} />, 404);
    return c.html(<IncidentPage incident={incident} now={now()} />);
  });

  app.get('/apps/:app/badge.svg', async (c) => {
    const name = c.req.param('app');
    const latest = await ledger.latestRelease(name);
    const known = latest !== null || (await ledger.appExists(name));
    const svg = renderBadge(!known ? 'unknown app' : (latest?.smoke_seal?.status ?? 'pending'));
    // READMEs cache images: ask them not to keep a stale seal.
    return c.body(svg, known ? 200 : 404, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-cache, max-age=0' });
  });

  app.get('/runs/:runId/evidence/:name', async (c) => {
    const file = await evidence.get(c.req.param('runId'), c.req.param('name'));
    if (!file) return c.html(<ErrorPage status={404} message="No such evidence file." />, 404);
    return c.body(file.data as Uint8Array<ArrayBuffer>, 200, {
      // Sniffed on the way in (PNG or JPEG only); nosniff and the CSP come from secureHeaders.
      'content-type': file.contentType,
      'cache-control': 'private, max-age=86400, immutable',
    });
  });

  // Live streams are counted per client address and in all: beyond either cap, 503 (a board
  // falls back to reloading; EventSource retries after Retry-After).
  const caps = deps.maxStreams ?? DEFAULT_MAX_STREAMS;
  const open = { total: 0, byClient: new Map<string, number>() };
  app.get('/events', (c) => {
    const client = clientAddress(c);
    const mine = open.byClient.get(client) ?? 0;
    if (mine >= caps.perClient || open.total >= caps.total) {
      const which = mine >= caps.perClient ? `${caps.perClient} live streams from one address` : `${caps.total} live streams in all`;
      logger.warn({ path: c.req.path, status: 503, open: open.total }, 'live stream refused');
      c.header('retry-after', '30');
      return c.json({ error: `too many live streams: this server keeps at most ${which}; try again later` }, 503);
    }
    open.total++;
    open.byClient.set(client, mine + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      open.total--;
      const left = (open.byClient.get(client) ?? 1) - 1;
      if (left > 0) open.byClient.set(client, left);
      else open.byClient.delete(client);
    };
    return streamSSE(c, async (stream) => {
      // One signal per stream: the client left, or the server is shutting down. Removed when the
      // stream ends, so closed streams leave nothing behind on the shared shutdown signal.
      const stop = new AbortController();
      const onShutdown = (): void => stop.abort();
      events.closed.addEventListener('abort', onShutdown, { once: true });
      stream.onAbort(() => stop.abort());
      const unsubscribe = events.subscribe((event) => void stream.writeSSE({ event: event.type, data: JSON.stringify(event) }).catch(() => undefined));
      try {
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 3000 });
        while (!stop.signal.aborted && !events.closed.aborted) {
          await sleep(PING_MS, undefined, { signal: stop.signal }).catch(() => undefined);
          if (stop.signal.aborted || events.closed.aborted) break;
          await stream.writeSSE({ event: 'ping', data: '{}' });
        }
      } finally {
        unsubscribe();
        events.closed.removeEventListener('abort', onShutdown);
        release();
      }
    });
  });

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? problem(c, 404, `no API route ${c.req.method} ${c.req.path} (see /api/openapi.json)`)
      : c.html(<ErrorPage status={404} message={`Nothing at ${c.req.path}.`} />, 404),
  );
  app.onError((error, c) => {
    // A client's mistake that a middleware threw (a malformed form or body): its own status and
    // message, logged as a request like any other, without a stack.
    if (error instanceof HTTPException && error.status < 500) {
      logger.info({ method: c.req.method, path: c.req.path, status: error.status, reason: error.message }, 'request refused');
      const message = error.message || 'the request cannot be read';
      return c.req.path.startsWith('/api/') || !c.req.header('accept')?.includes('text/html') ? c.json({ error: message }, error.status) : c.html(<ErrorPage status={error.status} message={message} />, error.status);
    }
    // Never a stack trace to the client: the log has it, the client a reference to it.
    const id = randomBytes(6).toString('hex');
    logger.error({ err: error, error_id: id, method: c.req.method, path: c.req.path }, 'request failed');
    return c.req.path.startsWith('/api/') || !c.req.header('accept')?.includes('text/html')
      ? c.json({ error: `internal error (reference ${id}); the server log has the details` }, 500)
      : c.html(<ErrorPage status={500} message={`Something went wrong (reference ${id}); the server log has the details.`} />, 500);
  });
  return app;
}

function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Page title={String(status)}>
      <h1>{status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error'}</h1>
      <p>{message}</p>
      <p><a href="/deployments">All deployments</a> · <a href="/incidents">All incidents</a></p>
    </Page>
  );
}

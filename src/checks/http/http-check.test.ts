import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer, type TestServer } from '../../../test/helpers/servers.js';
import { resolveApp } from '../../../test/helpers/apps.js';
import { runSuite } from '../../runner/run-suite.js';
import type { CheckResult } from '../../runner/run-result.js';

let prod: TestServer;
let other: TestServer;
const bodyBytesSent = { huge: 0 };

async function streamHuge(res: ServerResponse, totalBytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(totalBytes) });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  for (let sent = 0; sent < totalBytes && !res.destroyed; sent += chunk.length) {
    bodyBytesSent.huge += chunk.length;
    if (!res.write(chunk)) await drainOrClose(res);
  }
  res.end();
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Sends headers at once, then one byte every 50 ms until the client hangs up (at most 10 s). */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || ++sent > 200) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write('.');
  }, 50);
  res.on('close', () => clearInterval(timer));
}

beforeAll(async () => {
  other = await startServer((_req, res) => reply(res, 200, 'other host'));
  prod = await startServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/ok': return reply(res, 200, 'Welcome. Sign in to continue.', { 'x-frame-options': 'DENY', 'set-cookie': 'session=abc123; HttpOnly' });
      case '/json': return reply(res, 200, JSON.stringify({ status: 'ok', build: { n: 7 }, items: [1, 2] }), { 'content-type': 'application/json' });
      case '/missing': return reply(res, 404, 'Not Found');
      case '/error': return reply(res, 500, 'Internal Server Error: stack trace here');
      case '/slow': return reply(res, 200, 'slow ok', {}, 150);
      case '/hang': return; // never answers
      case '/trickle': return trickle(res);
      case '/method': return reply(res, 200, `method=${req.method ?? ''}`);
      case '/echo-auth': return reply(res, 200, `you sent ${req.headers.authorization ?? 'nothing'}`);
      case '/redirect-local': return reply(res, 302, '', { location: '/ok' });
      case '/redirect-other': return reply(res, 302, '', { location: `${other.url}/landing` });
      case '/redirect-loop': return reply(res, 302, '', { location: '/redirect-loop' });
      case '/huge': return streamHuge(res, 200 * 1024 * 1024);
      case '/long-page': return reply(res, 200, `${'x'.repeat(5000)}END`);
      case '/secret-at-cut': return reply(res, 200, `${'x'.repeat(2040)}${String(req.headers['x-echo'] ?? '')}`);
      case '/big-clean': return reply(res, 200, `${'x'.repeat(2 * 1024 * 1024)}Exception`);
      case '/redirect-fragment': return reply(res, 302, '', { location: '/ok#access_token=server-issued-token' });
      case '/redirect-other-auth': return reply(res, 302, '', { location: `${other.url}/landing` });
      case '/redirect-same-auth': return reply(res, 302, '', { location: '/echo-auth' });
      default: return reply(res, 404, 'no route');
    }
  });
});
afterAll(async () => {
  await prod.close();
  await other.close();
});

async function check(spec: Record<string, unknown>, app: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<CheckResult> {
  const result = await runSuite({ app: resolveApp({ production_url: prod.url, checks: [{ name: 'c', ...spec }], ...app }, env), release: null, secrets: Object.values(env) as string[] });
  return result.checks[0] as CheckResult;
}
const labels = (result: CheckResult) => result.assertions.map((a) => [a.label, a.ok]);

describe('http check expectations, each passing and failing', () => {
  it.each([
    ['status (number)', { http: '/missing', expect: { status: 404 } }, 'passed', [['status == 404', true]]],
    ['status (number) failing', { http: '/ok', expect: { status: 404 } }, 'failed', [['status == 404', false]]],
    ['status (list)', { http: '/ok', expect: { status: [200, 204] } }, 'passed', [['status in [200, 204]', true]]],
    ['status (list) failing', { http: '/error', expect: { status: [200, 204] } }, 'failed', [['status in [200, 204]', false]]],
    ['no status given: 2xx/3xx', { http: '/ok' }, 'passed', [['status is 2xx or 3xx', true]]],
    ['no status given: 500 fails', { http: '/error' }, 'failed', [['status is 2xx or 3xx', false]]],
    ['body_contains', { http: '/ok', expect: { body_contains: ['Sign in', 'Welcome'] } }, 'passed', [['status is 2xx or 3xx', true], ['body contains "Sign in"', true], ['body contains "Welcome"', true]]],
    ['body_contains failing', { http: '/ok', expect: { body_contains: 'Dashboard' } }, 'failed', [['status is 2xx or 3xx', true], ['body contains "Dashboard"', false]]],
    ['body_not_contains', { http: '/ok', expect: { body_not_contains: 'Exception' } }, 'passed', [['status is 2xx or 3xx', true], ['body does not contain "Exception"', true]]],
    ['body_not_contains failing', { http: '/error', expect: { status: 500, body_not_contains: 'stack trace' } }, 'failed', [['status == 500', true], ['body does not contain "stack trace"', false]]],
    ['body_matches', { http: '/ok', expect: { body_matches: '/sign\\s+in/i' } }, 'passed', [['status is 2xx or 3xx', true], ['body matches /sign\\s+in/i', true]]],
    ['body_matches failing', { http: '/ok', expect: { body_matches: '^Goodbye' } }, 'failed', [['status is 2xx or 3xx', true], ['body matches /^Goodbye/', false]]],
    ['json', { http: '/json', expect: { json: { '$.status': 'ok', '$.build': { n: 7 }, '$.items[1]': 2 } } }, 'passed', [['status is 2xx or 3xx', true], ['$.status == "ok"', true], ['$.build == {"n":7}', true], ['$.items[1] == 2', true]]],
    ['json failing (value)', { http: '/json', expect: { json: { '$.status': 'degraded' } } }, 'failed', [['status is 2xx or 3xx', true], ['$.status == "degraded"', false]]],
    ['json failing (no match)', { http: '/json', expect: { json: { '$.nope': 1 } } }, 'failed', [['status is 2xx or 3xx', true], ['$.nope == 1', false]]],
    ['json failing (not JSON)', { http: '/ok', expect: { json: { '$.status': 'ok' } } }, 'failed', [['status is 2xx or 3xx', true], ['$.status == "ok"', false]]],
    ['headers', { http: '/json', expect: { headers: { 'Content-Type': 'application/json', 'content-type': '/json$/' } } }, 'passed', [['status is 2xx or 3xx', true], ['header content-type == "application/json"', true], ['header content-type matches /json$/', true]]],
    ['headers present/absent', { http: '/ok', expect: { headers: { 'x-frame-options': true, 'x-powered-by': false } } }, 'passed', [['status is 2xx or 3xx', true], ['header x-frame-options is present', true], ['header x-powered-by is absent', true]]],
    ['headers failing', { http: '/ok', expect: { headers: { 'x-frame-options': 'SAMEORIGIN', 'content-type': false, 'x-missing': true } } }, 'failed', [['status is 2xx or 3xx', true], ['header x-frame-options == "SAMEORIGIN"', false], ['header content-type is absent', false], ['header x-missing is present', false]]],
    ['max_ms', { http: '/ok', expect: { max_ms: 2000 } }, 'passed', [['status is 2xx or 3xx', true], ['duration <= 2000 ms', true]]],
    ['max_ms failing', { http: '/slow', expect: { max_ms: 20 } }, 'failed', [['status is 2xx or 3xx', true], ['duration <= 20 ms', false]]],
  ])('%s', async (_name, spec, status, expected) => {
    const result = await check(spec);
    expect(result.status).toBe(status);
    expect(labels(result)).toEqual(expected);
  });

  it('says why in one line, with expected and actual values', async () => {
    const result = await check({ http: '/ok', expect: { status: 404 } });
    expect(result.assertions[0]).toEqual({ label: 'status == 404', ok: false, expected: 404, actual: 200, message: 'status 200, expected 404' });
    const json = await check({ http: '/json', expect: { json: { '$.status': 'degraded' } } });
    expect(json.assertions[1]).toMatchObject({ expected: 'degraded', actual: 'ok', message: '$.status is "ok", expected "degraded"' });
  });
});

describe('read-only requests', () => {
  it.each(['HEAD', 'OPTIONS', 'GET'])('sends %s as asked', async (method) => {
    const before = prod.requests.length;
    const result = await check({ http: { path: '/method', method } });
    expect(result.status).toBe('passed');
    expect(prod.requests.slice(before).map((r) => r.method)).toEqual([method]);
  });
});

describe('failures of production are data, never exceptions', () => {
  it('a hanging endpoint fails at the per-check timeout, which covers the whole exchange', async () => {
    const result = await check({ http: '/hang', timeout_ms: 200 });
    expect(result).toMatchObject({ status: 'failed', error: 'timed out after 200 ms (timeout_ms)', attempts: 1 });
    expect(result.duration_ms).toBeGreaterThanOrEqual(190);
  });

  it('a body that trickles forever fails at the timeout too: it covers the body, not only the headers', async () => {
    const result = await check({ http: '/trickle', timeout_ms: 300 });
    expect(result).toMatchObject({ status: 'failed', error: 'timed out after 300 ms (timeout_ms)' });
    expect(result.duration_ms).toBeLessThan(5000);
  });

  it('a refused connection is a failure naming the cause', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const result = await runSuite({ app: resolveApp({ production_url: closed.url, checks: [{ name: 'c', http: '/' }] }), release: null, secrets: [] });
    expect(result.checks[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('ECONNREFUSED') });
    expect(result.verdict).toBe('red');
  });
});

describe('redirects', () => {
  it('are not followed by default: the redirect itself is the answer', async () => {
    const result = await check({ http: '/redirect-local', expect: { status: 302, headers: { location: '/ok' } } });
    expect(result.status).toBe('passed');
  });

  it('are followed on the app\'s own host when asked', async () => {
    const result = await check({ http: { path: '/redirect-local', follow_redirects: true }, expect: { status: 200, body_contains: 'Sign in' } });
    expect(result.status).toBe('passed');
    expect(result.evidence.redirects).toEqual([{ status: 302, location: `${prod.url}/ok` }]);
  });

  it('are never followed to another host: the check fails and the other host sees no request', async () => {
    const before = other.requests.length;
    const result = await check({ http: { path: '/redirect-other', follow_redirects: true } });
    expect(result.status).toBe('failed');
    expect(result.assertions[0]).toMatchObject({ label: 'redirect stays on allowed hosts', ok: false, actual: other.host });
    expect(other.requests.length).toBe(before);
  });

  it('are followed to a host listed in allow_hosts', async () => {
    const result = await check({ http: { path: '/redirect-other', follow_redirects: true }, allow_hosts: [other.host], expect: { body_contains: 'other host' } });
    expect(result.status).toBe('passed');
  });

  it('stop after max_redirects', async () => {
    const result = await check({ http: { path: '/redirect-loop', follow_redirects: true, max_redirects: 3 } });
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.assertions[0]).toMatchObject({ label: 'at most 3 redirects', ok: false });
    expect((result.evidence.redirects as unknown[]).length).toBe(4);
  });
});

describe('the body cap', () => {
  it('reads a 200 MiB answer only up to the cap and stops downloading it', async () => {
    bodyBytesSent.huge = 0;
    const result = await check({ http: '/huge', expect: { status: 200, body_contains: 'zzz' } });
    const response = result.evidence.response as Record<string, unknown>;
    expect(response).toMatchObject({ body_bytes: 1048576, body_truncated: true });
    expect(result.status).toBe('failed');
    expect(result.assertions[1]?.message).toBe('body does not contain "zzz" (searched the first 1048576 bytes (body cut at the cap))');
    // The server stopped being read long before the end: only the cap plus socket buffers left it.
    expect(bodyBytesSent.huge).toBeLessThan(50 * 1024 * 1024);
  });

  it('keeps only an excerpt of the body as evidence', async () => {
    const result = await check({ http: '/long-page', expect: { body_contains: 'END' } });
    expect(result.status).toBe('passed');
    expect((result.evidence.response as { body_excerpt: string }).body_excerpt).toHaveLength(2049);
  });
});

describe('credentials on redirects', () => {
  it('keeps credentials on a same-origin redirect', async () => {
    const result = await check({ http: { path: '/redirect-same-auth', follow_redirects: true, headers: { Authorization: 'Bearer ${T}' } }, expect: { body_contains: 'you sent Bearer' } }, {}, { T: 'same-origin-token' });
    expect(result.status).toBe('passed');
    expect(prod.requests.at(-1)?.headers.authorization).toBe('Bearer same-origin-token');
  });

  it('drops Authorization and Cookie when a redirect leaves the origin, even to an allowed host', async () => {
    const before = other.requests.length;
    const result = await check({ http: { path: '/redirect-other-auth', follow_redirects: true, headers: { Authorization: 'Bearer ${T}', Cookie: 'sid=${T}', 'X-Team': 'blue' } }, allow_hosts: [other.host] }, {}, { T: 'cross-origin-token' });
    expect(result.status).toBe('passed');
    const landed = other.requests.slice(before);
    expect(landed).toHaveLength(1);
    expect(landed[0]?.headers).not.toHaveProperty('authorization');
    expect(landed[0]?.headers).not.toHaveProperty('cookie');
    expect(landed[0]?.headers['x-team']).toBe('blue');
  });
});

describe('evidence', () => {
  it('records timings, chosen headers and the request, with secrets redacted', async () => {
    const result = await check({ http: { path: '/echo-auth?token=abc&page=1', headers: { Authorization: 'Bearer ${TOKEN}' } } }, {}, { TOKEN: 'tok-very-secret' });
    const evidence = result.evidence as { timings: Record<string, number>; request: { url: string; headers: Record<string, string> }; response: { body_excerpt: string; headers: Record<string, string> } };
    expect(evidence.timings.connect_ms).toBeGreaterThanOrEqual(0);
    expect(evidence.timings.first_byte_ms).toBeGreaterThanOrEqual(0);
    expect(evidence.timings.total_ms).toBeGreaterThanOrEqual(evidence.timings.first_byte_ms ?? 0);
    expect(evidence.request.headers).toEqual({ Authorization: '[REDACTED]' });
    expect(evidence.request.url).toBe(`${prod.url}/echo-auth?token=[REDACTED]&page=1`);
    expect(evidence.response.body_excerpt).toBe('you sent Bearer [REDACTED]');
    expect(JSON.stringify(result)).not.toContain('tok-very-secret');
    expect(prod.requests.at(-1)?.headers.authorization).toBe('Bearer tok-very-secret');
  });

  it('judges a credential header by its value but never shows the value', async () => {
    const result = await check({ http: '/ok', expect: { headers: { 'set-cookie': '/Secure/' } } });
    expect(result.status).toBe('failed');
    expect(result.assertions[1]).toMatchObject({ label: 'header set-cookie matches /Secure/', ok: false, actual: '[REDACTED]', message: 'header set-cookie is [REDACTED], expected to match /Secure/' });
    expect(JSON.stringify(result)).not.toContain('abc123');
    const passing = await check({ http: '/ok', expect: { headers: { 'set-cookie': '/HttpOnly/' } } });
    expect(passing.status).toBe('passed');
  });

  it('redacts a secret before cutting the body excerpt, so no fragment of it survives', async () => {
    const secret = 'k-0123456789abcdefghijkl';
    const result = await check({ http: { path: '/secret-at-cut', headers: { 'X-Echo': '${S}' } } }, {}, { S: secret });
    const excerpt = (result.evidence.response as { body_excerpt: string }).body_excerpt;
    expect(excerpt.startsWith('x'.repeat(2040))).toBe(true);
    expect(excerpt).not.toContain(secret.slice(0, 6));
  });

  it('redacts a token in a redirect\'s URL fragment', async () => {
    const result = await check({ http: '/redirect-fragment', expect: { status: 302 } });
    expect(JSON.stringify(result)).not.toContain('server-issued-token');
  });

  it('says body_not_contains only searched the part read when the body was cut', async () => {
    const result = await check({ http: '/big-clean', expect: { body_not_contains: 'Exception' } });
    expect(result.assertions[1]).toMatchObject({ ok: true, actual: 'not found in the first 1048576 bytes (body cut at the cap)' });
  });

  it('redacts Set-Cookie from the response headers it keeps', async () => {
    const result = await check({ http: '/ok' });
    expect((result.evidence.response as { headers: Record<string, string> }).headers['set-cookie']).toBe('[REDACTED]');
    expect(JSON.stringify(result)).not.toContain('abc123');
  });
});

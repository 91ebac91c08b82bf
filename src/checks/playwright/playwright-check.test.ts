import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../../../test/helpers/chromium.js';
import { resolveConfig } from '../../../test/helpers/apps.js';
import { reply, startServer, type TestServer } from '../../../test/helpers/servers.js';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { inspectConfig } from '../../config/load.js';
import type { AppConfig } from '../../config/types.js';
import { runSuite } from '../../runner/run-suite.js';

const skip = await chromiumSkipReason();
const TEAM = fileURLToPath(new URL('../../../test/fixtures/team/', import.meta.url));

let prod: TestServer;
let evidenceRoot: string;

beforeAll(async () => {
  evidenceRoot = mkdtempSync(join(tmpdir(), 'seal-spec-'));
  prod = await startServer((req, res) => {
    const html = (body: string) => reply(res, 200, `<!doctype html><title>Studio</title>${body}`, { 'content-type': 'text/html' });
    switch (req.url) {
      case '/': return html('<a data-qa="sign-in" href="/login">Sign in</a>');
      case '/signup': return html('<h1>Create your account</h1><form method="post" action="/signup"><input name="email" value="smoke@example.com"><button type="submit">Sign up</button></form>');
      case '/api/things': return reply(res, 200, '[]', { 'content-type': 'application/json' });
      default: return reply(res, 404, 'not found');
    }
  });
});
afterAll(() => prod?.close());

/** Resolves an app whose config file sits in the team's repository, as a real one would. */
function teamApp(playwright: Record<string, unknown>, extra: Record<string, unknown> = {}): AppConfig {
  const config = resolveConfig({ apps: { studio: { production_url: prod.url, checks: [{ name: 'qa readonly', playwright, ...extra }] } } }, {}, join(TEAM, 'seal.config.yaml'));
  return config.apps.studio as AppConfig;
}

describe.skipIf(skip !== null)('the team\'s @qa-readonly spec against production (real Chromium)', () => {
  it('runs only the tagged tests, one check each, and no write reaches production', async () => {
    prod.writes.length = 0;
    const before = prod.requests.length;
    const result = await runSuite({ app: teamApp({ spec: 'e2e/qa_readonly.spec.js', grep: '@qa-readonly', config: 'playwright.config.mjs' }), release: null, secrets: [] }, { evidenceRoot });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['qa readonly › home shows the product @qa-readonly', 'passed'],
      ['qa readonly › the sign-up button is safe to click @qa-readonly', 'passed'],
      ['qa readonly › the API answers @qa-readonly', 'passed'],
    ]);
    expect(result.verdict).toBe('green');
    // The click on the submit button and request.post were stopped by the guard (Chromium's own
    // background requests never count: they are answered before they leave)...
    // Each on the test that made it, with its title and place in the spec.
    expect(result.blocked_requests).toEqual([
      { check: 'qa readonly › the sign-up button is safe to click @qa-readonly', method: 'POST', url: `${prod.url}/signup`, test: 'the sign-up button is safe to click @qa-readonly', location: 'e2e/qa_readonly.spec.js:10' },
      { check: 'qa readonly › the API answers @qa-readonly', method: 'POST', url: `${prod.url}/api/things`, test: 'the API answers @qa-readonly', location: 'e2e/qa_readonly.spec.js:16' },
    ]);
    expect(result.checks.map((c) => (c.blocked_requests ?? []).length)).toEqual([0, 1, 1]);
    expect(result.checks[2]?.evidence.guard_answered).toMatch(/^1 write blocked: the read-only guard answered 1 write of this test itself \(POST http:\/\/127\.0\.0\.1:\d+\/api\/things: 204/);
    // ...production saw reads only, and the untagged test that writes never ran.
    expect(prod.writes).toEqual([]);
    expect(prod.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
    // The team's config was used (data-qa test ids), without its QA webServer or its firefox project.
    expect(result.checks[0]?.evidence).toMatchObject({ project: 'chromium' });
  });

  it('uses smoke-seal\'s own @playwright/test when the team\'s repository has none', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'seal-team-'));
    cpSync(TEAM, outside, { recursive: true });
    const config = resolveConfig({ apps: { studio: { production_url: prod.url, checks: [{ name: 'qa', playwright: { spec: 'e2e/qa_readonly.spec.js', grep: 'home shows' } }] } } }, {}, join(outside, 'seal.config.yaml'));
    const result = await runSuite({ app: config.apps.studio as AppConfig, release: null, secrets: [] }, { evidenceRoot });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([['qa › home shows the product @qa-readonly', 'failed']]);
    // Without the team's config, getByTestId looks for data-testid, not data-qa: it fails, as it would for them.
    expect(result.checks[0]?.assertions[0]?.message).toContain("getByTestId('sign-in')");
  });

  it('a failing test is a failed check with its error and a screenshot on disk', async () => {
    const result = await runSuite({ app: teamApp({ spec: 'e2e/failing.spec.js', grep: '@qa-readonly' }), release: null, secrets: [] }, { evidenceRoot });
    expect(result.verdict).toBe('red');
    const check = result.checks[0];
    expect(check).toMatchObject({ name: 'qa readonly › expects a page that is gone @qa-readonly', status: 'failed' });
    expect(check?.assertions[0]?.message).toContain('A heading that does not exist');
    const attachments = check?.evidence.attachments as { name: string; path: string }[];
    const screenshot = attachments.find((a) => a.name === 'screenshot');
    expect(screenshot && existsSync(screenshot.path)).toBe(true);
  });

  it('a test that fails after one of its writes was blocked says so in its error', async () => {
    const result = await runSuite({ app: teamApp({ spec: 'e2e/login.spec.js' }), release: null, secrets: [] }, { evidenceRoot });
    const check = result.checks[0];
    expect(check).toMatchObject({ name: 'qa readonly › signs in and sees the dashboard @qa-readonly', status: 'failed' });
    expect(check?.assertions[0]?.message).toMatch(/Expected: 200\s+Received: 204/);
    expect(check?.assertions[0]?.message).toContain(`(the read-only guard answered 1 write of this test itself (POST ${prod.url}/login: 204, never sent to production), so what the test saw after it came from the guard; if a request only reads, list it under allow_requests)`);
    expect(check?.blocked_requests).toEqual([{ check: check?.name, method: 'POST', url: `${prod.url}/login`, test: 'signs in and sees the dashboard @qa-readonly', location: 'e2e/login.spec.js:5' }]);
    expect(prod.writes).toEqual([]);
  });

  it('a grep that matches nothing is an error that says so', async () => {
    const result = await runSuite({ app: teamApp({ spec: 'e2e/qa_readonly.spec.js', grep: '@nothing-has-this' }), release: null, secrets: [] }, { evidenceRoot });
    expect(result.verdict).toBe('error');
    expect(result.checks[0]?.error).toMatch(/no test|No tests found/);
  });

  it('on_write: fail fails the test that tried to write, and only that one', async () => {
    const result = await runSuite({ app: teamApp({ spec: 'e2e/qa_readonly.spec.js', grep: '(API answers|home shows)', config: 'playwright.config.mjs' }, { on_write: 'fail' }), release: null, secrets: [] }, { evidenceRoot });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['qa readonly › home shows the product @qa-readonly', 'passed'],
      ['qa readonly › the API answers @qa-readonly', 'failed'],
    ]);
    expect(result.checks[1]?.assertions.at(-1)).toMatchObject({ label: 'no write attempted', ok: false, actual: 1 });
    expect(result.verdict).toBe('red');
  });
});

describe('spec checks with a missing file', () => {
  it('config check warns with the path; the run reports the check as an error naming the file', async () => {
    const document = { apps: { studio: { production_url: 'http://127.0.0.1:9', checks: [{ name: 'qa', playwright: { spec: 'e2e/missing.spec.js' } }] } } };
    const report = inspectConfig(stringify(document), join(TEAM, 'seal.config.yaml'), {});
    const missing = join(TEAM, 'e2e/missing.spec.js');
    expect(report.diagnostics.map(formatDiagnostic)).toEqual([`apps.studio.checks[0].playwright.spec: file not found: ${missing}`]);
    const result = await runSuite({ app: report.config?.apps.studio as AppConfig, release: null, secrets: [] }, { evidenceRoot });
    expect(result.checks[0]).toMatchObject({ status: 'error', error: `file not found: ${missing}` });
  });
});

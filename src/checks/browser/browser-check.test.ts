import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason } from '../../../test/helpers/chromium.js';
import { resolveApp } from '../../../test/helpers/apps.js';
import { reply, startServer, type TestServer } from '../../../test/helpers/servers.js';
import type { RunListener } from '../../runner/listener.js';
import type { RunResult } from '../../runner/run-result.js';
import { runSuite } from '../../runner/run-suite.js';
import { findChromium } from './find-chromium.js';

const skip = await chromiumSkipReason();
const html = (title: string, body: string) => `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;

let prod: TestServer;
let evidenceRoot: string;

beforeAll(async () => {
  evidenceRoot = mkdtempSync(join(tmpdir(), 'seal-evidence-'));
  prod = await startServer((req, res) => {
    const page = (title: string, body: string) => reply(res, 200, html(title, body), { 'content-type': 'text/html' });
    switch (new URL(req.url ?? '/', 'http://x').pathname) {
      case '/': return page('Studio', '<h1>Welcome</h1><a href="/login">Sign in</a>');
      case '/beacon': return page('Beacon', `<p>tracked</p><script>navigator.sendBeacon('/collect', 'load'); fetch('/api/events', { method: 'POST', body: '{}' });</script>`);
      case '/autosubmit': return page('Form', `<form id="f" method="post" action="/subscribe"><input name="email" value="a@b.c"></form><p>Subscribe</p><script>document.getElementById('f').submit()</script>`);
      case '/broken': return page('Broken', '<p>half</p><script>undefinedFunction()</script>');
      case '/console': return page('Console', `<script>console.error('boom from console')</script>`);
      case '/late': return page('Late', `<script>setTimeout(() => { const el = document.createElement('button'); el.textContent = 'Ready'; document.body.append(el); }, 300)</script>`);
      case '/error': return reply(res, 500, html('Oops', '<p>server error</p>'), { 'content-type': 'text/html' });
      // Writes that Playwright's routes never see: a shared worker's, and beacons sent on unload.
      case '/shared': return page('Shared', `<script>new SharedWorker('/shared.js').port.start()</script>`);
      case '/shared.js': return reply(res, 200, `fetch('/shared-write', { method: 'POST', body: 'x' })`, { 'content-type': 'text/javascript' });
      case '/leaving': return page('Leaving', `<script>addEventListener('pagehide', () => navigator.sendBeacon('/unload-beacon', 'bye')); setTimeout(() => { location.href = '/'; }, 100)</script>`);
      // Replaces itself while loading: the image holds its load event back until the script has moved on.
      case '/hop': return page('Hop', `<img src="/slow-image"><script>location.replace('/')</script>`);
      case '/slow-image': return reply(res, 200, '', { 'content-type': 'image/gif' }, 2000);
      // Pages whose own scripts lie about what they show, or break what a check might call.
      case '/lying-title': return reply(res, 200, `<!doctype html><html><head><title>Server Error</title></head><body><p>Oops, 500</p><script>Object.defineProperty(document, 'title', { get: () => 'Studio' }); Object.defineProperty(HTMLElement.prototype, 'innerText', { get: () => 'Welcome' })</script></body></html>`, { 'content-type': 'text/html' });
      case '/broken-globals': return page('Studio', `<h1>Welcome</h1><img src="/slow-image"><script>window.addEventListener = function () {}; window.performance = { now: () => 0 }</script>`);
      case '/closing': return page('Closing', `<script>addEventListener('pagehide', () => navigator.sendBeacon('/close-beacon', 'bye'))</script>`);
      case '/slow-evidence': return page('Slow', '<p>rendered, then waits</p>');
      // Once loaded, the page has no <body> left: reading its text waits for one until time runs out.
      case '/bodiless': return page('Bodiless', `<p>gone soon</p><script>addEventListener('load', () => document.body.remove())</script>`);
      default: return reply(res, 404, 'not found');
    }
  });
});
afterAll(() => prod?.close());

const run = (checks: unknown[], app: Record<string, unknown> = {}): Promise<RunResult> =>
  runSuite({ app: resolveApp({ production_url: prod.url, checks, ...app }), release: null, secrets: [] }, { evidenceRoot });

describe.skipIf(skip !== null)('browser checks (real Chromium)', () => {
  it('pass on a healthy page: title, visible, text, no console errors', async () => {
    const result = await run([{ name: 'home', browser: '/', expect: { title: 'Studio', visible: ['text=Sign in'], text_contains: 'Welcome', no_console_errors: true, max_ms: 20_000 } }]);
    expect(result.checks[0]?.assertions.map((a) => [a.label, a.ok])).toEqual([
      ['page status is 2xx or 3xx', true], ['title == "Studio"', true], ['visible "text=Sign in"', true], ['page text contains "Welcome"', true], ['no console or page errors', true], ['duration <= 20000 ms', true],
    ]);
    expect(result.verdict).toBe('green');
  });

  it('a page that sends a POST beacon and fetch on load passes, lists the writes, and the server receives none', async () => {
    prod.writes.length = 0;
    const result = await run([{ name: 'tracked', browser: '/beacon', expect: { title: 'Beacon', no_console_errors: true } }]);
    expect(result.checks[0]?.status).toBe('passed');
    expect([...result.blocked_requests].sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { check: 'tracked', method: 'POST', url: `${prod.url}/api/events` },
      { check: 'tracked', method: 'POST', url: `${prod.url}/collect` },
    ]);
    expect(prod.writes).toEqual([]);
  });

  it('a check\'s duration_ms leaves out the wait for Chromium\'s launch, as its timeout does (a launcher that takes 4 s)', async () => {
    const launcher = join(evidenceRoot, 'slow-chromium.sh');
    writeFileSync(launcher, `#!/bin/sh\nsleep 4\nexec ${await findChromium({})} "$@"\n`, { mode: 0o755 });
    const result = await runSuite({ app: resolveApp({ production_url: prod.url, checks: [{ name: 'home', browser: '/', expect: { title: 'Studio' } }] }), release: null, secrets: [] }, { evidenceRoot, env: { ...process.env, SEAL_CHROMIUM: launcher } });
    expect(result.checks[0]?.status).toBe('passed');
    // The run waited at least the launcher's 4 s; the check's own time is what came after it.
    expect(result.duration_ms).toBeGreaterThanOrEqual(4000);
    expect(result.checks[0]?.duration_ms).toBeLessThan(result.duration_ms - 3500);
  }, 60_000);

  it('judges what the page shows, not what its scripts say: a lying title or text fails, broken globals do not stop the check', async () => {
    const result = await run([
      { name: 'lying', browser: '/lying-title', expect: { title: 'Studio', text_contains: 'Welcome' } },
      { name: 'broken globals', browser: '/broken-globals', expect: { title: 'Studio', text_contains: 'Welcome' } },
    ]);
    const [lying, broken] = result.checks;
    expect(lying).toMatchObject({ status: 'failed', evidence: { title: 'Server Error' } });
    expect(lying?.assertions.filter((a) => !a.ok).length).toBe(2);
    expect(broken).toMatchObject({ status: 'passed', evidence: { title: 'Studio' } });
  });

  it('a page that replaces itself by script while loading is judged on the page it lands on, once that page has loaded', async () => {
    const result = await run([{ name: 'hop', browser: '/hop', expect: { title: 'Studio', text_contains: 'Welcome' } }]);
    expect(result.checks[0]).toMatchObject({ status: 'passed', evidence: { title: 'Studio', final_url: `${prod.url}/` } });
  });

  it('a page that auto-submits a form passes on the page it showed, and the server receives no write', async () => {
    prod.writes.length = 0;
    const result = await run([{ name: 'form', browser: '/autosubmit', expect: { title: 'Form', text_contains: 'Subscribe' } }]);
    expect(result.checks[0], JSON.stringify(result.checks[0], null, 1)).toMatchObject({ status: 'passed' });
    expect(result.blocked_requests).toEqual([{ check: 'form', method: 'POST', url: `${prod.url}/subscribe` }]);
    expect(prod.writes).toEqual([]);
  });

  it.each([
    ['a shared worker\'s write', '/shared', '/shared-write'],
    ['a beacon sent on pagehide when the page navigates away', '/leaving', '/unload-beacon'],
  ])('%s is blocked and listed, and never reaches production', async (_name, path, write) => {
    prod.writes.length = 0;
    const result = await run([{ name: 'sneaky', browser: path, expect: { visible: ['body'] } }]);
    // Give a write that slipped through time to arrive before asserting that none did.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(prod.writes).toEqual([]);
    expect(result.blocked_requests).toContainEqual({ check: 'sneaky', method: 'POST', url: `${prod.url}${write}` });
  });

  it('a beacon sent as the check closes the page never reaches production (listed when it arrives in time)', async () => {
    prod.writes.length = 0;
    const result = await run([{ name: 'closing', browser: '/closing' }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(prod.writes).toEqual([]);
    // Once the guard has stopped, the context's proxy is gone and Chromium has no direct route.
    for (const entry of result.blocked_requests) expect(entry).toEqual({ check: 'closing', method: 'POST', url: `${prod.url}/close-beacon` });
  });

  it('keeps evidence of a check that runs out of time', async () => {
    const result = await run([{ name: 'late selector', browser: { path: '/slow-evidence', wait_for: '#never-appears' }, timeout_ms: 4000 }]);
    const check = result.checks[0];
    expect(check?.status).toBe('failed');
    expect(check?.error).toBe(`timed out after ${String(check?.error?.match(/after (\d+) ms/)?.[1])} ms waiting for "#never-appears" to be visible (wait_for) (timeout_ms: 4000, of which the last 1000 ms are kept for the screenshot and trace)`);
    expect(check?.evidence.title).toBe('Slow');
    expect(existsSync(check?.evidence.screenshot as string)).toBe(true);
  });

  it('running out of time while reading the page says so, instead of failing assertions on what was never read', async () => {
    const result = await run([{ name: 'bodiless', browser: '/bodiless', timeout_ms: 4000, expect: { title: 'Bodiless', text_contains: 'gone soon' } }]);
    const check = result.checks[0];
    expect(check?.status).toBe('failed');
    expect(check?.error).toMatch(/^timed out after \d+ ms reading the page text \(timeout_ms: 4000, of which the last 1000 ms are kept for the screenshot and trace\)$/);
    expect(check?.assertions).toEqual([]);
    expect(existsSync(check?.evidence.screenshot as string)).toBe(true);
  });

  it('on_write: fail turns a blocked write into a failed check and a red seal', async () => {
    const result = await run([{ name: 'tracked', browser: '/beacon', on_write: 'fail' }]);
    expect(result.checks[0]?.status).toBe('failed');
    expect(result.checks[0]?.assertions.at(-1)).toMatchObject({ label: 'no write attempted', ok: false, actual: 2 });
    expect(result.verdict).toBe('red');
  });

  it('a page error fails no_console_errors, with a screenshot and a trace on disk', async () => {
    const result = await run([{ name: 'broken page', browser: '/broken', expect: { no_console_errors: true } }]);
    const check = result.checks[0];
    expect(check?.status).toBe('failed');
    expect(check?.assertions[1]).toMatchObject({ label: 'no console or page errors', ok: false });
    expect(check?.assertions[1]?.message).toContain('undefinedFunction is not defined');
    const screenshot = check?.evidence.screenshot as string;
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(check?.evidence.trace as string)).toBe(true);
    expect(result.evidence_dir).toBe(join(evidenceRoot, 'app', result.run_id));
    expect(screenshot.startsWith(result.evidence_dir ?? '-')).toBe(true);
  });

  it('console.error counts as an error too', async () => {
    const result = await run([{ name: 'noisy', browser: '/console', expect: { no_console_errors: true } }]);
    expect(result.checks[0]?.evidence.console_errors).toEqual(['boom from console']);
    expect(result.checks[0]?.status).toBe('failed');
  });

  it.each([
    ['title text', { title: 'Nope' }, 'title == "Nope"'],
    ['title regex', { title: '/^Stu/' }, null],
    ['visible', { visible: ['text=Dashboard'] }, 'visible "text=Dashboard"'],
    ['text_contains', { text_contains: 'Goodbye' }, 'page text contains "Goodbye"'],
    ['max_ms', { max_ms: 1 }, 'duration <= 1 ms'],
  ])('%s is asserted (passing or failing as the page says)', async (_name, expect_, failing) => {
    // Room for a loaded CI machine: these are about assertions, not time (a check cut short judges nothing).
    const result = await run([{ name: 'c', browser: '/', timeout_ms: 15_000, expect: expect_ }]);
    const failed = result.checks[0]?.assertions.filter((a) => !a.ok).map((a) => a.label) ?? [];
    expect(failed).toEqual(failing ? [failing] : []);
  });

  it('waits for a selector given in wait_for, and visible waits for late rendering', async () => {
    const result = await run([{ name: 'late', browser: { path: '/late', wait_for: 'text=Ready' }, expect: { visible: ['text=Ready'] } }]);
    expect(result.checks[0]?.status).toBe('passed');
  });

  it('a 500 page fails even with no other expectation, with a screenshot', async () => {
    const result = await run([{ name: 'err', browser: '/error' }]);
    expect(result.checks[0]?.assertions[0]).toMatchObject({ label: 'page status is 2xx or 3xx', ok: false, actual: 500 });
    expect(existsSync(result.checks[0]?.evidence.screenshot as string)).toBe(true);
  });

  it('screenshot: always keeps a screenshot of a passing check', async () => {
    const result = await run([{ name: 'shot', browser: '/', screenshot: 'always' }]);
    expect(result.checks[0]?.status).toBe('passed');
    expect(existsSync(result.checks[0]?.evidence.screenshot as string)).toBe(true);
    expect(result.checks[0]?.evidence.trace).toBeUndefined();
  });

  it('runs several browser checks in parallel in one browser, each in its own context', async () => {
    // Six pages at once on a small CI machine can take longer than the default time: this test is about parallel contexts, not speed.
    const checks = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}`, browser: '/', timeout_ms: 30_000, expect: { title: 'Studio' } }));
    const before = prod.requests.length;
    const result = await run(checks, { concurrency: 6, browser_concurrency: 6 });
    expect(result.checks.map((c) => c.status)).toEqual(Array(6).fill('passed'));
    expect(prod.requests.length - before).toBeGreaterThanOrEqual(6);
  });

  it('many browser checks in one run leave no listener piling up on a reused connection (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      // One after another, so that each check's guard could pick up the connection the last one left.
      const checks = Array.from({ length: 12 }, (_, i) => ({ name: `w${i}`, browser: '/', expect: { title: 'Studio' } }));
      const result = await run(checks, { concurrency: 1 });
      expect(result.checks.every((c) => c.status === 'passed')).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('keeps at most browser_concurrency pages open, while other checks go past the waiting ones', async () => {
    let open = 0;
    let mostOpen = 0;
    const order: string[] = [];
    const listener: RunListener = {
      onCheckStart: (check) => {
        order.push(`start ${check.name}`);
        if (check.kind === 'browser') mostOpen = Math.max(mostOpen, ++open);
      },
      onCheckFinish: (check) => {
        order.push(`finish ${check.name}`);
        if (check.kind === 'browser') open -= 1;
      },
    };
    const checks = [...Array.from({ length: 5 }, (_, i) => ({ name: `b${i}`, browser: '/', expect: { title: 'Studio' } })), { name: 'api', http: '/' }];
    const result = await runSuite({ app: resolveApp({ production_url: prod.url, concurrency: 8, browser_concurrency: 2, checks }), release: null, secrets: [] }, { evidenceRoot, listeners: [listener] });
    expect(result.checks.map((c) => c.status)).toEqual(Array(6).fill('passed'));
    expect(mostOpen).toBe(2);
    // The HTTP check, last in the config, did not wait for the browser checks queued before it.
    expect(order.indexOf('start api')).toBeLessThan(order.indexOf('finish b0'));
    // Browser checks keep their config order.
    expect(order.filter((e) => e.startsWith('start b'))).toEqual(['start b0', 'start b1', 'start b2', 'start b3', 'start b4']);
  });

  it('a refused connection is a failed check, not an error', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const result = await runSuite({ app: resolveApp({ production_url: closed.url, checks: [{ name: 'down', browser: '/' }] }), release: null, secrets: [] }, { evidenceRoot });
    expect(result.checks[0]).toMatchObject({ status: 'failed', error: `connect ECONNREFUSED 127.0.0.1:${closed.port} (loading ${closed.url}/)` });
  });
});

describe('without a browser', () => {
  it('a missing browser gives an error verdict naming the fix', async () => {
    const result = await runSuite({ app: resolveApp({ production_url: 'http://127.0.0.1:9', checks: [{ name: 'page', browser: '/' }] }), release: null, secrets: [] }, { evidenceRoot, env: { SEAL_CHROMIUM: '/nonexistent/chromium' } });
    expect(result.verdict).toBe('error');
    expect(result.checks[0]?.error).toBe('SEAL_CHROMIUM=/nonexistent/chromium is not an executable file: point it at a Chromium or Chrome binary, or unset it to use the system\'s');
  });
});

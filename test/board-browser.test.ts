/**
 * The board in a real Chromium: the deployments list with its badges, a live update when a seal
 * lands, a red release with its screenshot and a working copy button, a phone-sized screen, and
 * the board with JavaScript off. Screenshots are saved in test-artifacts/ for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../src/checks/browser/browser-session.js';
import { findChromium } from '../src/checks/browser/find-chromium.js';
import { openDb } from '../src/store/db.js';
import { IncidentStore } from '../src/store/incidents.js';
import { apps } from '../src/store/schema.js';
import { TokenStore } from '../src/store/tokens.js';
import { inspectConfig } from '../src/config/load.js';
import { startServer, type RunningServer } from '../src/web/server.js';
import { chromiumSkipReason } from './helpers/chromium.js';
import { ROOT } from './helpers/cli.js';
import { runResult } from './helpers/run-results.js';

const skip = await chromiumSkipReason();
// `npm run screenshots` points this at docs/screenshots, where the README's pictures live.
const ARTIFACTS = process.env.SEAL_SCREENSHOTS_DIR ? join(ROOT, process.env.SEAL_SCREENSHOTS_DIR) : join(ROOT, 'test-artifacts');

describe.skipIf(skip !== null)('the board in Chromium', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let token: string;
  const post = async (path: string, body: unknown, type = 'application/json') => {
    const response = await fetch(`${server.url}${path}`, { method: path.includes('/evidence/') ? 'PUT' : 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: body instanceof Uint8Array ? body : JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'seal-board-'));
    const seed = await openDb({ databaseUrl: null, dataDir: dir });
    token = (await new TokenStore(seed.db).create('ci')).token;
    // A post-mortem of the app (on no release, so the deployments list stays as it is): one
    // action overdue, one done, one due later.
    await seed.db.insert(apps).values({ name: 'studio' });
    await new IncidentStore(seed.db).create({
      app: 'studio', release: null, title: 'Uploads failed for an hour', severity: 2, status: 'in review', summary: 'Uploads failed.',
      timeline: [{ at: '2026-11-20T05:14:00.000Z', text: 'First failed upload', milestone: 'impact_started' }, { at: '2026-11-20T06:14:00.000Z', text: 'Fix deployed', milestone: 'mitigated' }],
      impact: { users: 120, support_calls: 3, text: '' }, whys: [{ answer: 'The upload bucket policy changed.' }], root_cause: 'Bucket policy changes are not checked.',
      contributing_factors: [], lessons: { went_well: [], went_wrong: [], lucky: [] }, people: [], supporting: [],
      actions: [
        { id: 1, title: 'Add an upload smoke check', type: 'detect', owner: 'Priya Patel', due: '2020-01-10', status: 'open' },
        { id: 2, title: 'Add a policy diff to CI', type: 'prevent', owner: 'Tom Weller', due: '2020-01-10', status: 'done' },
        { id: 3, title: 'Add a runbook for bucket policies', type: 'mitigate', owner: 'Aroha Ngata', due: '2099-01-10', status: 'open' },
      ],
    });
    await seed.close();
    // The server renders rollback commands from its own config only.
    const { config } = inspectConfig('apps:\n  studio:\n    production_url: https://studio.example.com\n    rollback: "git revert -m 1 {merge_sha}"\n', 'seal.config.yaml', {});
    server = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: dir }, config, logger: pino({ level: 'silent' }), env: {}, evidenceRoot: dir });
    browser = await chromium.launch({ executablePath: await findChromium(process.env), headless: true, args: CHROMIUM_ARGS });
    await post('/api/releases', { app: 'studio', version: 'v3.2.0', sha: '1111111aaaaaaa' });
    await post('/api/releases/studio/v3.2.0/seals', runResult('studio'));
    await post('/api/releases', { app: 'studio', version: 'v3.3.0', sha: '2222222bbbbbbb', merge_sha: 'cafe1234' });
    // The red run's screenshot: a real one, of the board itself.
    const shot = await (await browser.newPage()).goto(`${server.url}/deployments`).then(async (r) => (await r?.frame().page().screenshot()) as Buffer);
    const red = runResult(
      'studio',
      { verdict: 'red', summary: "1/2 passed; 'devops hidden' failed: status 200, expected 404", blocked_requests: [{ check: 'home renders', method: 'POST', url: 'https://studio.example.com/analytics' }] },
      [
        { name: 'up' },
        { name: 'devops hidden', status: 'failed', assertions: [{ label: 'status == 404', ok: false, expected: 404, actual: 200, message: 'status 200, expected 404' }], evidence: { screenshot: '/ci/evidence/devops-hidden-abc123.png' } },
      ],
    );
    await post('/api/releases/studio/v3.3.0/seals', { ...red, rollback_template: 'git revert -m 1 {merge_sha}' });
    await post(`/api/runs/${red.run_id}/evidence/devops-hidden-abc123.png`, new Uint8Array(shot), 'image/png');
    await post('/api/releases', { app: 'billing', version: 'v12' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the releases with their badges, updates live when a seal lands, and opens a red release with its rollback command', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}/deployments`);
    const rows = await page.locator('tr[data-version]').all();
    const statuses = await Promise.all(rows.map(async (row) => `${await row.getAttribute('data-version')}:${await row.locator('.badge').textContent()}`));
    expect(statuses).toEqual(['v12:pending', 'v3.3.0:red', 'v3.2.0:green']);
    // The icon is drawn (an SVG with a size), in the badge's colour: a cue that needs no emoji font.
    const drawn = await page.evaluate<{ width: number; fill: string; colour: string }>(`(() => { const svg = document.querySelector('tr[data-version="v3.2.0"] .badge svg.icon'); return { width: svg.getBoundingClientRect().width, fill: getComputedStyle(svg).fill, colour: getComputedStyle(svg.parentElement).color }; })()`);
    expect(drawn.width).toBeGreaterThan(8);
    expect(drawn.fill).toBe(drawn.colour);

    // A seal lands while the board is open: the row changes without a reload.
    await page.evaluate("document.documentElement.dataset.marker = 'same page'");
    await post('/api/releases/billing/v12/seals', runResult('billing'));
    await page.locator('tr[data-version="v12"][data-status="green"]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate('document.documentElement.dataset.marker')).toBe('same page');
    await page.screenshot({ path: join(ARTIFACTS, 'board-deployments.png'), fullPage: true });
    // The overview: each app's card with a bar per seal.
    expect(await page.locator('.app-card[data-app="studio"] svg.seal-chart rect').count()).toBe(2);

    await page.getByRole('table').getByRole('link', { name: 'v3.3.0' }).click();
    await page.waitForURL(/\/releases\/studio\/v3\.3\.0$/);
    await expect.poll(() => page.locator('#rollback-command').textContent()).toBe('git revert -m 1 cafe1234');
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe('git revert -m 1 cafe1234');
    const image = page.locator('img.shot');
    await image.waitFor();
    expect(await page.evaluate("document.querySelector('img.shot').naturalWidth")).toBeGreaterThan(100);
    expect(await page.locator('details.check-failed').getAttribute('open')).not.toBeNull();
    expect(await page.textContent('body')).toContain('https://studio.example.com/analytics');
    await page.screenshot({ path: join(ARTIFACTS, 'board-release.png'), fullPage: true });
    // No CSP violation, no script error, nothing missing.
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lists the post-mortems and shows one, its overdue action highlighted, on a desktop and a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}/deployments`);
    await page.getByRole('link', { name: 'Incidents' }).first().click();
    await page.waitForURL(/\/incidents$/);
    expect(await page.locator('.overdue').first().textContent()).toContain('1 overdue');
    await page.getByRole('link', { name: 'Uploads failed for an hour' }).click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const background = (id: string) => page.evaluate(`getComputedStyle(document.querySelector('tr[data-action="${id}"]')).backgroundColor`);
    // The overdue action stands out from the done one and the one due later; it says so in words too.
    expect(await background('1')).not.toBe(await background('2'));
    expect(await background('2')).toBe(await background('3'));
    expect(await page.locator('tr[data-action="1"]').textContent()).toContain('overdue');
    expect(await page.textContent('body')).toContain('1h 0m');
    await page.screenshot({ path: join(ARTIFACTS, 'board-incident.png'), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    await small.goto(page.url());
    expect(await small.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.close();
  });

  it('every page: no console error and no horizontal scroll on a 390 px phone, none on a desktop either', async () => {
    const pages = ['/deployments', '/deployments?verdict=red', '/deployments?app=studio', '/releases/studio/v3.3.0', '/releases/studio/v3.2.0', '/incidents', '/incidents/1', '/incidents/999', '/deployments?app=ghost'];
    for (const viewport of [{ width: 390, height: 844, isMobile: true }, { width: 1280, height: 800, isMobile: false }]) {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, isMobile: viewport.isMobile });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && !/status of 40\d/.test(m.text()) && problems.push(`${page.url()}: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
      for (const path of pages) {
        await page.goto(`${server.url}${path}`);
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate('document.documentElement.scrollWidth'), `${path} at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
      }
      if (viewport.isMobile) {
        await page.goto(`${server.url}/incidents`);
        // /incidents on a phone: cards, each field labelled, not a table in a scroller.
        expect(await page.evaluate(`getComputedStyle(document.querySelector('table.incidents tr[data-incident] td'), '::before').content`)).toBe('"#"');
        await page.screenshot({ path: join(ARTIFACTS, 'board-incidents-phone.png'), fullPage: true });
        await page.goto(`${server.url}/deployments`);
        await page.screenshot({ path: join(ARTIFACTS, 'board-deployments-phone.png'), fullPage: true });
      }
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('fits a phone screen, and reads the same with JavaScript off', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, javaScriptEnabled: false });
    const page = await phone.newPage();
    await page.goto(`${server.url}/deployments`);
    expect(await page.locator('tr .badge').allTextContents()).toEqual(['green', 'red', 'green']);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'board-phone.png'), fullPage: true });
    await page.goto(`${server.url}/releases/studio/v3.3.0`);
    expect(await page.locator('#rollback-command').textContent()).toBe('git revert -m 1 cafe1234');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.close();
  });
});

// Pictures of the board for the README (docs/screenshots/): the demo sealed a few times, a
// post-mortem opened on its red release, then /deployments on a desktop and a phone, the red
// release page, and /incidents on a phone, in Debian's Chromium. Run: npm run screenshots
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'screenshots');
const data = mkdtempSync(join(tmpdir(), 'seal-screenshots-'));
const env = { ...process.env, SEAL_DATA_DIR: data, NO_COLOR: '1' };
const seal = (...args) => {
  const run = spawnSync(process.execPath, [join(root, 'bin/seal'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`seal ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return run;
};

mkdirSync(out, { recursive: true });
for (let i = 0; i < 3; i++) seal('demo', '--no-serve');
seal('incident', 'open', 'demo', '--release', 'v1.1.0', '--title', 'DevOps page exposed to everyone', '--severity', '1');
// The last demo serves the board: its seals land while it runs, and it stays up until SIGTERM.
const demo = spawn(process.execPath, [join(root, 'bin/seal'), 'demo', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error(`the demo did not finish in 120 s:\n${text}`)), 120_000);
  demo.stderr.on('data', (chunk) => {
    text += chunk;
    const board = /The board is still serving at (http:\/\/\S+)\/deployments/.exec(text)?.[1];
    if (board) {
      clearTimeout(timer);
      resolve(board);
    }
  });
  demo.on('exit', (code) => reject(new Error(`the demo exited (${code}):\n${text}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.SEAL_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const shots = [
    { path: '/deployments', file: 'deployments-desktop.png', viewport: { width: 1280, height: 800 } },
    { path: '/deployments', file: 'deployments-phone.png', viewport: { width: 390, height: 844 }, mobile: true },
    { path: '/releases/demo/v1.1.0', file: 'release-red.png', viewport: { width: 1280, height: 800 } },
    { path: '/incidents', file: 'incidents-phone.png', viewport: { width: 390, height: 844 }, mobile: true },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({ viewport: shot.viewport, isMobile: shot.mobile === true, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${url}${shot.path}`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(out, shot.file), fullPage: true });
    await context.close();
    process.stderr.write(`wrote docs/screenshots/${shot.file}\n`);
  }
} finally {
  await browser.close();
  demo.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
}

// The bare playwright-core floor of the browser section (issue 18): what opening the section's
// pages costs with no test runner and no seal. It launches the same Chromium with the same flags,
// opens the same pages two browser contexts at a time (new context, goto, read the title, close
// the context), then closes the browser, and does nothing else. bench/browser-run.mjs runs it as
// `node bench/browser-floor.mjs <floor.json>` (written by bench/browser-suites.mjs) and times it
// from spawn to exit like every other run. Prints {"titles":{"p01":"Page 01",…},"ms":…}: the
// title each page had, and its own time from before the launch to after the browser's close.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';

const { baseUrl, pages, executablePath, args, contexts } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const started = performance.now();
const browser = await chromium.launch({ executablePath, headless: true, args });
const titles = {};
let next = 0;

/** Takes the next page until none is left: `contexts` of these run side by side. */
async function opener() {
  while (next < pages.length) {
    const name = pages[next];
    next += 1;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/${name}`);
    titles[name] = await page.title();
    await context.close();
  }
}

try {
  await Promise.all(Array.from({ length: contexts }, opener));
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify({ titles, ms: performance.now() - started })}\n`);

/**
 * The `browser` check: open the page in an isolated context of the run's Chromium, every
 * request of which goes through the run's guard on a channel of the check's own, and judge
 * what a user would see. Screenshot and trace on failure (screenshot always with
 * `screenshot: always`), stored in the run's evidence folder.
 */
import { errorMessage } from '../../errors.js';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { BrowserCheckSpec } from '../../config/types.js';
import type { AttemptOutcome } from '../../runner/run-result.js';
import { outcomeOf } from '../assertion.js';
import { blockedBy, guardEvidence } from '../guard-evidence.js';
import { describeNetworkError } from '../network-error.js';
import type { CheckContext } from '../types.js';
import { assertPage } from './assertions.js';

const LOAD_STATES = new Set(['load', 'domcontentloaded', 'networkidle']);
/** The document's own view of the load states, looked at now and then beside the events. */
const READY = { load: "document.readyState === 'complete'", domcontentloaded: "document.readyState !== 'loading'" };
/**
 * The document's own load events, asked of the document itself in one evaluation that ends when
 * the event fires (true at once if it already has). Polling `readyState` every 25 ms, as this did
 * before, cost a check about 55 ms and the round trips' CPU (BENCHMARKS.md, findings).
 */
const LOADED = {
  load: "document.readyState === 'complete' || new Promise((resolve) => window.addEventListener('load', () => resolve(true), { once: true }))",
  domcontentloaded: "document.readyState !== 'loading' || new Promise((resolve) => document.addEventListener('DOMContentLoaded', () => resolve(true), { once: true }))",
};
/** The document's title as the page's own scripts see it: only when Playwright's own read is a placeholder. */
const DOCUMENT_TITLE = 'String(document.title)';
/** The navigation timings, for the evidence only (Node's types lack the DOM's Navigation Timing API). */
const TIMINGS = `(() => {
  try {
    const nav = performance.getEntriesByType('navigation')[0];
    return nav ? { first_byte_ms: Math.round(nav.responseStart), dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd), load_ms: Math.round(nav.loadEventEnd) } : {};
  } catch {
    return {};
  }
})()`;
/** How many console errors and failed requests are kept as evidence. */
const MAX_LISTED = 20;
/** Time kept back from the check's timeout for the screenshot and the trace. */
const EVIDENCE_RESERVE_MS = 2000;

/** Runs one attempt of a browser check. */
export async function runBrowserCheck(spec: BrowserCheckSpec, { signal, resources, attempt, redact }: CheckContext): Promise<AttemptOutcome> {
  const browser = await resources.browser.browser();
  const started = performance.now();
  // Our own waits end a little before the runner's timeout, leaving time to keep evidence.
  const deadline = Date.now() + spec.timeoutMs - reserveMs(spec);
  const remaining = (): number => Math.max(1, deadline - Date.now());
  // Every request of the context, shared workers' and unload beacons' included, goes through the
  // guard on this check's channel; a write is answered 204 there, so a blocked form leaves the page in place.
  const channel = (await resources.guard()).channel({ check: spec.name, client: 'browser' });
  let channelClosed: Promise<void> | null = null;
  // Chromium may keep its connections to the proxy open past the context: only a moment is given to them.
  const closeChannel = (): Promise<void> => (channelClosed ??= channel.close(100).catch(() => undefined));
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: spec.viewport, proxy: { server: await channel.listen() }, ignoreHTTPSErrors: true });
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];
  const evidence: Record<string, unknown> = { url: spec.url };
  const stop = (): void => void context.close().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    await context.tracing.start({ screenshots: true, snapshots: true });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && !isOwnFaviconFetch(message.text(), message.location().url)) consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('requestfailed', (request) => failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));

    let status: number | null = null;
    let checkError: string | null = null;
    const timedOut = (what: string): string => `timed out after ${Math.round(performance.now() - started)} ms ${what} (timeout_ms: ${spec.timeoutMs}, of which the last ${reserveMs(spec)} ms are kept for the screenshot and trace)`;
    let waitingFor = `loading ${spec.url}`;
    try {
      // Wait for the commit, then ask the document itself whether it has loaded. A page that
      // submits a form while loading starts a second navigation, which the guard answers 204;
      // Playwright's load events then never fire although the document is complete.
      const response = await page.goto(spec.url, { waitUntil: 'commit', timeout: remaining() });
      status = response?.status() ?? null;
      waitingFor = LOAD_STATES.has(spec.waitFor) ? `waiting for the page's ${spec.waitFor} state` : 'waiting for the page to load';
      if (spec.waitFor === 'networkidle') await page.waitForLoadState('networkidle', { timeout: remaining() });
      else await waitForDocument(page, spec.waitFor === 'domcontentloaded' ? 'domcontentloaded' : 'load', remaining);
      waitingFor = `waiting for ${JSON.stringify(spec.waitFor)} to be visible (wait_for)`;
      if (!LOAD_STATES.has(spec.waitFor)) await page.locator(spec.waitFor).first().waitFor({ state: 'visible', timeout: remaining() });
    } catch (error) {
      // Through the guard, a refused connection reaches Chromium as a reset: name the real cause.
      const upstream = channel.upstreamErrors.find((e) => e.url === spec.url);
      if (upstream) checkError = `${upstream.message} (loading ${spec.url})`;
      else if ((error as Error).name === 'TimeoutError') checkError = timedOut(waitingFor);
      else checkError = describeNetworkError(error).split('\n')[0] ?? 'navigation failed';
    }
    const durationMs = Math.round(performance.now() - started);
    let seen: Awaited<ReturnType<typeof observe>> = { title: '', timings: {}, text: '', visible: {} };
    try {
      seen = await observe(page, spec, remaining, checkError !== null);
    } catch (error) {
      if (!(error instanceof ObservationTimeout)) throw error;
      // Out of time while reading the page: say so, rather than judge what was never read.
      checkError ??= timedOut(error.message);
    }
    const observation = { ...seen, status, errors: [...pageErrors, ...consoleErrors], durationMs };
    const judge = () => (checkError ? [] : assertPage(spec.expect, spec.onWrite, { ...observation, blockedWrites: channel.blocked.length }));
    const early = judge();
    Object.assign(evidence, {
      final_url: page.url(),
      status,
      title: observation.title,
      console_errors: consoleErrors.slice(0, MAX_LISTED),
      page_errors: pageErrors.slice(0, MAX_LISTED),
      failed_requests: failedRequests.slice(0, MAX_LISTED),
      timings: { total_ms: durationMs, ...seen.timings },
    });
    const failed = checkError !== null || outcomeOf(early) === 'failed';
    await keepEvidence(context, page, spec, redact(spec.name), resources.evidenceDir, attempt, failed, evidence, () => spec.timeoutMs - (performance.now() - started));
    // Closing the page fires its unload handlers while the context (and its channel) still
    // exist, so their beacons reach the guard, not production, and are counted before the list is read.
    await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await context.close();
    await closeChannel();
    const assertions = judge();
    const blocked = blockedBy(channel, spec.name);
    Object.assign(evidence, guardEvidence(channel, blocked), channel.background() > 0 ? { browser_background_requests: channel.background() } : {});
    return { outcome: checkError ? 'failed' : outcomeOf(assertions), assertions, error: checkError, evidence, blocked };
  } finally {
    signal.removeEventListener('abort', stop);
    await context.close().catch(() => undefined);
    await closeChannel();
  }
}

/**
 * Chromium fetches a page's favicon on its own and logs a missing one as a console error; the
 * page's code did not ask for it, so it is not one of the page's errors.
 */
function isOwnFaviconFetch(text: string, url: string): boolean {
  return text.startsWith('Failed to load resource') && /\/favicon\.ico(\?|$)/.test(url);
}

/** Time kept back from a check's timeout for its evidence. */
function reserveMs(spec: BrowserCheckSpec): number {
  return Math.round(Math.min(EVIDENCE_RESERVE_MS, spec.timeoutMs / 4));
}

/** A read of the page ran out of the check's time; the message says which read. */
class ObservationTimeout extends Error {}

/** Reads what the assertions need; throws ObservationTimeout when a read runs out of time. */
async function observe(page: Page, spec: BrowserCheckSpec, remaining: () => number, failed: boolean): Promise<{ title: string; timings: Record<string, number>; text: string; visible: Record<string, boolean> }> {
  // Other failures (the context closed as the runner aborts) leave a value empty: the runner
  // reports the abort itself.
  const read = async <T>(what: string, value: Promise<T>, empty: T): Promise<T> => {
    try {
      return await value;
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new ObservationTimeout(`reading ${what}`);
      return empty;
    }
  };
  // The title is evidence too: it gets a moment even when the check has already run out of time.
  // What the assertions read is read by Playwright, out of reach of the page's own scripts; only
  // its placeholder while a second navigation is pending (a form the guard answered), "Loading
  // <url>", is replaced by the title of the document shown. The timings are evidence only.
  const titleRead = read('the title', withTimeout(playwrightTitle(page), Math.max(remaining(), 500)), '');
  const timingsRead = withTimeout(page.evaluate<Record<string, number>>(TIMINGS), Math.max(remaining(), 500)).catch(() => ({}));
  if (failed) return { title: await titleRead, timings: await timingsRead, text: '', visible: {} };
  // The reads are in flight at once: each is a round trip to the page.
  const textRead = spec.expect.text_contains === undefined ? Promise.resolve('') : read('the page text', page.locator('body').innerText({ timeout: remaining() }), '');
  const [title, timings, text] = await Promise.all([titleRead, timingsRead, textRead]);
  const visible: Record<string, boolean> = {};
  let waited = false;
  for (const selector of spec.expect.visible ?? []) {
    const locator = page.locator(selector).first();
    // Pages render after load: the first selector that is not there yet gets the time left
    // (its failure is real: it did not appear in time); after that, the rest are looked at as
    // they are, not given no time at all and reported missing.
    if (waited) {
      visible[selector] = await locator.isVisible().catch(() => false);
      continue;
    }
    visible[selector] = await locator.waitFor({ state: 'visible', timeout: remaining() }).then(() => true, () => false);
    waited = !visible[selector];
  }
  return { title, timings, text, visible };
}

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timed out after ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Waits for the document's load (or DOMContentLoaded) event. A document replaced meanwhile (a
 * redirect by script) destroys the evaluation's context: the new document is asked again, after
 * a moment. A slow look at `readyState` runs beside it, so that a page whose scripts break
 * `addEventListener` is still seen loaded.
 */
async function waitForDocument(page: Page, state: 'load' | 'domcontentloaded', remaining: () => number): Promise<void> {
  const polled = page.waitForFunction(READY[state], undefined, { timeout: remaining(), polling: 250 }).then(() => undefined);
  polled.catch(() => undefined);
  const evented = (async () => {
    for (;;) {
      try {
        await withTimeout(page.evaluate(LOADED[state]), remaining());
        return;
      } catch (error) {
        if ((error as Error).name === 'TimeoutError' || page.isClosed() || !/Execution context was destroyed|frame was detached/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  })();
  evented.catch(() => undefined);
  // Loaded as soon as either says so; failed only when both failed (the first failure is reported).
  await Promise.any([evented, polled]).catch((error: unknown) => {
    throw error instanceof AggregateError ? (error.errors[0] as Error) : error;
  });
}

/** Playwright's title, or the shown document's own while Playwright's is its "Loading" placeholder. */
async function playwrightTitle(page: Page): Promise<string> {
  const title = await page.title();
  if (!title.startsWith('Loading ')) return title;
  return page.evaluate<string>(DOCUMENT_TITLE).catch(() => title);
}

async function keepEvidence(context: BrowserContext, page: Page, spec: BrowserCheckSpec, safeName: string, dir: string, attempt: number, failed: boolean, evidence: Record<string, unknown>, timeLeft: () => number): Promise<void> {
  // The file name comes from the redacted check name: a secret must not end up in a path.
  const base = join(dir, `${fileNameOf(safeName)}${attempt > 1 ? `-attempt${attempt}` : ''}`);
  try {
    if (failed || spec.screenshot === 'always') mkdirSync(dir, { recursive: true });
  } catch (error) {
    // No folder for the evidence (a full disk): said on the check, and the check's own outcome stands.
    lost(evidence, `no screenshot or trace could be kept: ${errorMessage(error)}`);
    await context.tracing.stop().catch(() => undefined);
    return;
  }
  if (failed || spec.screenshot === 'always') {
    // A full-page screenshot can hang (a page without a <body>): it gets half the time left,
    // then the visible part is taken instead.
    let problem = '';
    const shot = (fullPage: boolean, timeout: number) =>
      page.screenshot({ path: `${base}.png`, fullPage, timeout }).then(
        () => `${base}.png`,
        (error: unknown) => {
          problem = errorMessage(error).split('\n')[0] ?? '';
          return null;
        },
      );
    evidence.screenshot = (await shot(true, Math.max(250, Math.min(5000, timeLeft() / 2)))) ?? (await shot(false, Math.max(250, timeLeft() - 100)));
    // A screenshot that could not be kept (a full disk, a page that never painted) is said, not dropped silently.
    if (evidence.screenshot === null) lost(evidence, `the screenshot could not be kept: ${problem}`);
  }
  if (failed) {
    evidence.trace = await context.tracing.stop({ path: `${base}.trace.zip` }).then(
      () => `${base}.trace.zip`,
      (error: unknown) => {
        lost(evidence, `the trace could not be kept: ${errorMessage(error).split('\n')[0] ?? ''}`);
        return null;
      },
    );
  } else {
    await context.tracing.stop().catch(() => undefined);
  }
}

/** Notes on the check's evidence what could not be kept (the run lists it among its warnings). */
function lost(evidence: Record<string, unknown>, what: string): void {
  evidence.lost = [...(Array.isArray(evidence.lost) ? (evidence.lost as string[]) : []), what];
}

/** A file-name-safe, collision-free form of a check name ("a b" and "a-b" differ by the hash). */
export function fileNameOf(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'check';
  return `${slug}-${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

/** One Chromium per run, launched on first use and shared by every browser check of the run. */
import type { Browser } from 'playwright-core';
import { BrowserUnavailableError, findChromium } from './find-chromium.js';

/** Flags for a headless Chromium on a locked-down machine: no sandbox, no phoning home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A lazily launched browser; `close` is safe to call whether or not it was launched. */
export interface BrowserSession {
  readonly browser: () => Promise<Browser>;
  readonly close: () => Promise<void>;
}

/** Creates a session; nothing starts until the first `browser()` call. */
export function createBrowserSession(env: NodeJS.ProcessEnv): BrowserSession {
  let launching: Promise<Browser> | null = null;
  return {
    browser: function launchOnce() {
      launching ??= launch(env);
      return launching;
    },
    close: async function closeBrowser() {
      if (!launching) return;
      const browser = await launching.catch(() => null);
      await browser?.close().catch(() => undefined);
    },
  };
}

async function launch(env: NodeJS.ProcessEnv): Promise<Browser> {
  const executablePath = await findChromium(env);
  // Loaded here, not at the top: HTTP-only runs never pay for Playwright.
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (error) {
    const first = ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
    throw new BrowserUnavailableError(`Chromium at ${executablePath} could not start: ${first}`, { cause: error });
  }
}

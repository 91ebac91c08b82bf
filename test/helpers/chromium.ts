/** Browser tests need a Chromium: they run wherever one is found, and must run in CI. */
import { findChromium } from '../../src/checks/browser/find-chromium.js';

/** The reason browser tests are skipped here, or null when a Chromium was found. */
export async function chromiumSkipReason(): Promise<string | null> {
  try {
    await findChromium(process.env);
    return null;
  } catch (error) {
    const reason = `browser tests skipped: ${(error as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`CI=true requires browser tests to run, but ${reason}`, { cause: error });
    // eslint-disable-next-line no-console -- a skipped test prints why
    console.warn(reason);
    return reason;
  }
}

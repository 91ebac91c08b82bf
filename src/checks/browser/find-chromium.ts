/** Finds a Chromium to drive: SEAL_CHROMIUM, then the system's, then a Playwright-managed one. */
import { accessSync, constants } from 'node:fs';
import { SealError } from '../../errors.js';

/** Where a system Chromium usually lives (Debian's package first). */
export const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** No browser could be found or started; the message says what to install or set. */
export class BrowserUnavailableError extends SealError {
  override readonly name = 'BrowserUnavailableError';
}

/** Returns the path of a Chromium executable, or throws BrowserUnavailableError naming the fix. */
export async function findChromium(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.SEAL_CHROMIUM) {
    if (isExecutable(env.SEAL_CHROMIUM)) return env.SEAL_CHROMIUM;
    throw new BrowserUnavailableError(`SEAL_CHROMIUM=${env.SEAL_CHROMIUM} is not an executable file: point it at a Chromium or Chrome binary, or unset it to use the system's`);
  }
  // The system's first: asking Playwright where its own browser lives means loading
  // playwright-core (~300 ms, ~60 MB), which a run of the team's spec never needs otherwise.
  const system = SYSTEM_CHROMIUMS.find(isExecutable);
  if (system) return system;
  const managed = await managedChromium();
  if (managed !== null && isExecutable(managed)) return managed;
  throw new BrowserUnavailableError('no Chromium found: install one (Debian/Ubuntu: `apt-get install -y chromium`) or set SEAL_CHROMIUM=/path/to/chromium');
}

async function managedChromium(): Promise<string | null> {
  try {
    const { chromium } = await import('playwright-core');
    return chromium.executablePath();
  } catch {
    return null;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

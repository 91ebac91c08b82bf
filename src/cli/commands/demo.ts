/** `seal demo` (what `npm start` runs): a demo production app, a green seal, then a red one. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findChromium } from '../../checks/browser/find-chromium.js';
import { startDemoApp } from '../../demo/demo-app.js';
import { findPackageRoot } from '../../package-root.js';
import type { CliIo } from '../io.js';
import { smokeCommand } from './smoke.js';


/** Runs the demo; returns the exit code. */
export async function demoCommand(io: CliIo): Promise<number> {
  const demoConfig = join(findPackageRoot(), 'examples', 'demo', 'seal.config.yaml');
  const demo = await startDemoApp(randomBytes(16).toString('hex'));
  const env = { ...io.env, SEAL_DEMO_URL: demo.url, SEAL_DEMO_TOKEN: demo.token };
  const say = (text: string): void => void io.stderr.write(`\n${text}\n\n`);
  // Without a Chromium the browser check is shown as skipped, with the fix, rather than as an error.
  const browser = await findChromium(io.env).then(() => null, (error: Error) => error.message);
  const skipKinds = browser === null ? undefined : { kinds: ['browser'], reason: browser };
  try {
    say(`Demo "production" app listening on ${demo.url} (release v1.0.0). Suite: ${demoConfig}`);
    await smokeCommand('demo', { config: demoConfig, release: 'v1.0.0', sha: 'a1b2c3d', mergeSha: '9f8e7d6', skipKinds }, { ...io, env });
    demo.deploy('v1.1.0');
    say('Now release v1.1.0 ships with a regression: /devops is exposed and /api/health reports "degraded".');
    await smokeCommand('demo', { config: demoConfig, release: 'v1.1.0', sha: 'b4c5d6e', mergeSha: '5e4d3c2', previousVersion: 'v1.0.0', skipKinds }, { ...io, env });
    say(`Writes that reached the demo app during both seals: ${demo.writes()} (its page-view beacon was answered by the guard).`);
    say('That is smoke-seal: a verdict with evidence for every release, and on red the exact rollback command.\nNext: copy examples/demo/seal.config.yaml to seal.config.yaml, point production_url at your app, and run ./bin/seal smoke <app>.');
    return 0;
  } finally {
    await demo.close();
  }
}

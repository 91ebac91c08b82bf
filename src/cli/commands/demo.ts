/**
 * `seal demo` (what `npm start` runs): a demo production app, the board served on
 * http://127.0.0.1:4400 (--port, or SEAL_PORT; any free port when that is taken, said so), a green seal then a red one
 * reported to it as a CI job would, and the board left running until Ctrl-C. `--no-serve`
 * seals into the local store and exits instead.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { findChromium } from '../../checks/browser/find-chromium.js';
import { loadConfig } from '../../config/load.js';
import { startDemoApp } from '../../demo/demo-app.js';
import { SealError, errorMessage } from '../../errors.js';
import { findPackageRoot } from '../../package-root.js';
import { defaultEvidenceRoot } from '../../runner/run-suite.js';
import { openDb, storeLocation } from '../../store/db.js';
import { TokenStore } from '../../store/tokens.js';
import { startServer, type RunningServer } from '../../web/server.js';
import type { CliIo } from '../io.js';
import { DEFAULT_PORT, parsePort } from './serve.js';
import { smokeCommand } from './smoke.js';

/** Runs the demo; returns the exit code. */
export async function demoCommand(io: CliIo, { serve = true, port }: { serve?: boolean; port?: string } = {}): Promise<number> {
  const demoConfig = join(findPackageRoot(), 'examples', 'demo', 'seal.config.yaml');
  const demo = await startDemoApp(randomBytes(16).toString('hex'));
  const env: NodeJS.ProcessEnv = { ...io.env, SEAL_DEMO_URL: demo.url, SEAL_DEMO_TOKEN: demo.token };
  const say = (text: string): void => void io.stderr.write(`\n${text}\n\n`);
  // Without a Chromium the browser check is shown as skipped, with the fix, rather than as an error.
  const browser = await findChromium(io.env).then(() => null, (error: Error) => error.message);
  const skipKinds = browser === null ? undefined : { kinds: ['browser'], reason: browser };
  let board: DemoBoard | null = null;
  try {
    if (serve) {
      board = await startBoard({ ...io, env }, demoConfig, port);
      env.SEAL_TOKEN = board.token;
      say(`Board: ${board.server.url}/deployments (open it now: it updates live as each seal lands)`);
    }
    const server = board?.server.url;
    say(`Demo "production" app listening on ${demo.url} (release v1.0.0). Suite: ${demoConfig}`);
    await smokeCommand('demo', { config: demoConfig, release: 'v1.0.0', sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e', mergeSha: '9f8e7d6', skipKinds, server }, { ...io, env });
    demo.deploy('v1.1.0');
    say('Now release v1.1.0 ships with a regression: /devops is exposed and /api/health reports "degraded".');
    await smokeCommand('demo', { config: demoConfig, release: 'v1.1.0', sha: 'b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7', mergeSha: '5e4d3c2', previousVersion: 'v1.0.0', skipKinds, server }, { ...io, env });
    say(`Writes that reached the demo app during both seals: ${demo.writes()} (its page-view beacon was answered by the guard).`);
    say('That is smoke-seal: a verdict with evidence for every release, and on red the exact rollback command.\nNext, your own app: ./bin/seal init https://your.app.example --app NAME, then ./bin/seal smoke NAME (README: Use it on your app).');
    if (board) {
      say(`The board is still serving at ${board.server.url}/deployments (both releases with every check and its evidence, and the red one's rollback command). Ctrl-C stops the demo.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return 0;
  } catch (error) {
    io.stderr.write(`seal demo: ${errorMessage(error)}\n`);
    return 2;
  } finally {
    await board?.server.close();
    if (board) await revokeDemoToken(io, board.tokenId);
    await demo.close();
  }
}

/** The demo's board and the token its seals report with. */
interface DemoBoard {
  readonly server: RunningServer;
  readonly token: string;
  readonly tokenId: string;
}

/** Starts the board on the demo's store, with a token for the demo's own seals (revoked when it stops). */
async function startBoard(io: CliIo, demoConfig: string, asked: string | undefined): Promise<DemoBoard> {
  const store = storeLocation(io.env, io.cwd);
  const seed = await openDb(store);
  let created: Awaited<ReturnType<TokenStore['create']>>;
  try {
    created = await new TokenStore(seed.db).create('seal demo');
  } finally {
    await seed.close();
  }
  const options = {
    host: '127.0.0.1',
    public: false,
    store,
    // The server can run the demo suite itself too: POST /api/releases/demo/<version>/smoke.
    config: loadConfig(demoConfig, io.env),
    logger: pino({ level: io.env.SEAL_LOG_LEVEL ?? 'silent' }),
    env: io.env,
    evidenceRoot: defaultEvidenceRoot(io.env, io.cwd),
  };
  // --port is taken at its word (a port in use is an error); otherwise SEAL_PORT or 4400, and any
  // free port when that one is taken (another demo?), said out loud.
  if (asked !== undefined) return { server: await startServer({ ...options, port: parsePort(asked, '--port') }), token: created.token, tokenId: created.info.id };
  const port = io.env.SEAL_PORT ? parsePort(io.env.SEAL_PORT, 'SEAL_PORT') : DEFAULT_PORT;
  let server: RunningServer;
  try {
    server = await startServer({ ...options, port });
  } catch (error) {
    if (!(error instanceof SealError && error.message.includes('already in use'))) throw error;
    server = await startServer({ ...options, port: 0 });
    io.stderr.write(`\nPort ${port} is in use (another demo?): the board is on port ${new URL(server.url).port} instead. Choose one with --port.\n`);
  }
  return { server, token: created.token, tokenId: created.info.id };
}

async function revokeDemoToken(io: CliIo, id: string): Promise<void> {
  const store = await openDb(storeLocation(io.env, io.cwd)).catch(() => null);
  if (!store) return;
  await new TokenStore(store.db).revoke(id).catch(() => 0);
  await store.close();
}

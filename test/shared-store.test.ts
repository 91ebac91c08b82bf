/**
 * The board and the CLI on one embedded store: while `seal serve` runs on a data directory, the
 * commands a newcomer runs next (a seal, a release, a post-mortem, a token) work on the same
 * directory, and the running board shows what they recorded. Through the real CLI.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { runCli, startServeCli, type ServeProcess } from './helpers/cli.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';
import { waitFor } from './helpers/wait-for.js';

let prod: TestServer;
let serve: ServeProcess;
let dir: string;
let config: string;
let healthy = true;
/** The answer to GET /slow, when a test holds it back. */
let slow: ((res: ServerResponse) => Promise<void>) | null = null;

beforeAll(async () => {
  prod = await startServer((req, res) => {
    if (req.url === '/slow' && slow) return void slow(res);
    reply(res, healthy ? 200 : 503, healthy ? 'OK' : 'down');
  });
  dir = mkdtempSync(join(tmpdir(), 'seal-shared-'));
  config = join(dir, 'seal.config.yaml');
  writeFileSync(config, `apps:\n  studio:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n`);
  serve = await startServeCli([], { env: { SEAL_DATA_DIR: join(dir, 'data') }, timeoutMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  await prod?.close();
});

const cli = (args: string[]) => runCli(args, { env: { SEAL_DATA_DIR: join(dir, 'data') }, timeoutMs: 60_000 });

describe('seal serve running on the embedded store', () => {
  it('seal smoke, release record, incident open and token create all work on the same data directory, and the board shows them', async () => {
    // The board has been used (the server holds the store) when the CLI comes.
    expect((await fetch(`${serve.url}/deployments`)).status).toBe(200);
    healthy = false;
    const sealed = await cli(['smoke', 'studio', '--config', config, '--release', 'v1', '--merge-sha', 'abc1234', '--json']);
    expect(sealed.code).toBe(0);
    const result = JSON.parse(sealed.stdout) as RunResult;
    expect(result.verdict).toBe('red');
    expect(result.warnings).toEqual([]);
    const recorded = await cli(['release', 'record', 'studio', '--version', 'v2', '--json']);
    expect(recorded.code).toBe(0);
    const incident = await cli(['incident', 'open', 'studio', '--release', 'v1', '--title', 'Studio was down', '--json']);
    expect(incident.code).toBe(0);
    const token = await cli(['token', 'create', '--name', 'ci', '--json']);
    expect(token.code).toBe(0);
    // The running server sees all of it.
    const v1 = (await (await fetch(`${serve.url}/api/releases/studio/v1`)).json()) as { smoke_seal: { run_id: string; status: string } };
    expect(v1.smoke_seal).toMatchObject({ run_id: result.run_id, status: 'red' });
    expect(await (await fetch(`${serve.url}/deployments`)).text()).toContain('data-app="studio" data-version="v2"');
    expect(await (await fetch(`${serve.url}/incidents`)).text()).toContain('Studio was down');
    const secret = (JSON.parse(token.stdout) as { token: string }).token;
    const authed = await fetch(`${serve.url}/api/releases`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ app: 'studio', version: 'v3' }) });
    expect(authed.status).toBe(201);
  }, 120_000);

  it('requests that arrive while a CLI command holds the store wait for it and are answered', async () => {
    const command = cli(['release', 'record', 'studio', '--version', 'v4']);
    const pages = await Promise.all(Array.from({ length: 5 }, () => fetch(`${serve.url}/deployments`)));
    expect((await command).code).toBe(0);
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await (await fetch(`${serve.url}/deployments`)).text()).toContain('data-version="v4"');
  }, 120_000);

  it('a board request made while a seal of HTTP checks runs is answered at once: the seal, which opened the store meanwhile, gives it up', async () => {
    // A CLI command made the server let go of the store; nothing has asked the server for a page since.
    expect((await cli(['release', 'list', 'studio'])).code).toBe(0);
    let letAnswer = (): void => undefined;
    const answered = new Promise<void>((resolve) => (letAnswer = resolve));
    let checkArrived = (): void => undefined;
    const checking = new Promise<void>((resolve) => (checkArrived = resolve));
    slow = async (res) => {
      checkArrived();
      await answered;
      reply(res, 200, 'OK');
    };
    const slowConfig = join(dir, 'slow.config.yaml');
    writeFileSync(slowConfig, `apps:\n  slowpoke:\n    production_url: ${prod.url}\n    checks:\n      - { name: slow, http: /slow, expect: { status: 200 }, timeout_ms: 60000 }\n`);
    try {
      const sealing = cli(['smoke', 'slowpoke', '--config', slowConfig, '--release', 'v1', '--json']);
      await checking;
      // The seal opens the store while its check waits (the lock appears); then a viewer comes.
      await waitFor(() => existsSync(join(dir, 'data', 'db.lock')), 'the seal to open the store while its check runs');
      const page = await fetch(`${serve.url}/deployments`);
      expect(page.status).toBe(200);
      letAnswer();
      const sealed = await sealing;
      expect(sealed.code).toBe(0);
      const result = JSON.parse(sealed.stdout) as RunResult;
      expect(result).toMatchObject({ verdict: 'green', warnings: [] });
      expect(await (await fetch(`${serve.url}/deployments`)).text()).toContain('data-app="slowpoke" data-version="v1"');
    } finally {
      letAnswer();
      slow = null;
    }
  }, 120_000);
});

/**
 * Reporting a run to a real seal server (in this process, on loopback): retried until the server
 * answers, screenshots sent along, the verdict kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResult } from '../../../test/helpers/run-results.js';
import { startServer as startTestServer } from '../../../test/helpers/servers.js';
import { TINY_PNG } from '../../../test/helpers/web.js';
import { openDb } from '../../store/db.js';
import { TokenStore } from '../../store/tokens.js';
import { startServer, type RunningServer } from '../../web/server.js';
import { reportSeal } from './report-seal.js';

let dir: string;
let token: string;
let server: RunningServer | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-report-'));
  const seed = await openDb({ databaseUrl: null, dataDir: join(dir, 'store') });
  token = (await new TokenStore(seed.db).create('ci')).token;
  await seed.close();
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reportSeal', () => {
  it('a connection that breaks is tried again: the run reaches the server, with its screenshot', async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: join(dir, 'store') }, config: null, logger: pino({ level: 'silent' }), env: {}, evidenceRoot: dir });
    const upstream = new URL(server.url);
    // In front of the real server: the first connection is cut at once, the rest pass through.
    let connections = 0;
    const flaky = createServer((socket) => {
      if (connections++ === 0) return void socket.destroy();
      const through = connect(Number(upstream.port), upstream.hostname);
      socket.pipe(through).pipe(socket);
      through.on('error', () => socket.destroy());
      socket.on('error', () => through.destroy());
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const front = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    try {
      const screenshot = join(dir, 'home-renders-1c53bd.png');
      writeFileSync(screenshot, TINY_PNG);
      const result = runResult('studio', { verdict: 'red', summary: "0/1 passed; 'home renders' failed" }, [{ name: 'home renders', kind: 'browser', status: 'failed', evidence: { screenshot } }]);
      const outcome = await reportSeal(result, { server: front, token, rollbackTemplate: 'kubectl rollout undo deploy/{app}', flags: { release: 'v1' }, env: {}, budgetMs: 10_000 });
      // A server without a config renders no rollback command, whatever template it is sent.
      expect(outcome.result).toMatchObject({ verdict: 'red', warnings: [], rollback: null });
      expect(outcome.boardUrl).toBe(`${front}/releases/studio/v1`);
      expect(connections).toBeGreaterThan(1);
      const image = await fetch(`${server.url}/runs/${result.run_id}/evidence/home-renders-1c53bd.png`);
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it('a server that never comes: a warning naming it and the time allowed, within that time', async () => {
    const probe = await startTestServer((_req, res) => void res.end());
    await probe.close();
    // Refused at once on an idle machine; on a loaded one the 1.2 s may run out first, and the warning says that instead.
    const outcome = await reportSeal(runResult('studio'), { server: probe.url, token, rollbackTemplate: 'git revert -m 1 {merge_sha}', flags: { release: 'v1' }, env: {}, budgetMs: 1200 });
    expect(outcome.result.verdict).toBe('green');
    expect(outcome.result.warnings).toHaveLength(1);
    expect(outcome.result.warnings[0]).toMatch(new RegExp(`^the seal was not reported to the seal server at ${probe.url.replace(/[.]/g, '\\.')}: (ECONNREFUSED|no time left|no answer in time; reporting may take 1200 ms in all)`));
  });
});

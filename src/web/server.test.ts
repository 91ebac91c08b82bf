/** The server on a real port: smoke runs it does itself, graceful shutdown, a port in use. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startServer as startTestServer, type TestServer } from '../../test/helpers/servers.js';
import { inspectConfig } from '../config/load.js';
import { openDb } from '../store/db.js';
import { TokenStore } from '../store/tokens.js';
import { isLoopback, startServer, type RunningServer } from './server.js';
import { runResult } from '../../test/helpers/run-results.js';
import { waitFor } from '../../test/helpers/wait-for.js';

let production: TestServer;
let dir: string;
let server: RunningServer;
let token: string;
let deployer: string;

beforeAll(async () => {
  production = await startTestServer((req, res) => (req.url === '/up' ? reply(res, 200, 'OK') : reply(res, 200, '<h1>DevOps console</h1>')));
  dir = mkdtempSync(join(tmpdir(), 'seal-serve-'));
  const seed = await openDb({ databaseUrl: null, dataDir: dir });
  token = (await new TokenStore(seed.db).create('ci')).token;
  deployer = (await new TokenStore(seed.db).create('deployer')).token;
  await seed.close();
  const yaml = `apps:
  studio:
    production_url: ${production.url}
    rollback: "git revert -m 1 {merge_sha}"
    checks:
      - { name: up, http: /up, expect: { status: 200, body_contains: OK } }
      - { name: devops hidden, http: /devops, expect: { status: 404 } }
`;
  const { config } = inspectConfig(yaml, 'seal.config.yaml', {});
  server = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: dir }, config, logger: pino({ level: 'silent' }), env: process.env, evidenceRoot: join(dir, 'evidence') });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await production?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

describe('seal serve', () => {
  it('runs the suite itself when asked, seals the release, and shows it on the board', async () => {
    await api('/api/releases', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app: 'studio', version: 'v3.3.0', merge_sha: 'cafe123' }) });
    const asked = await api('/api/releases/studio/v3.3.0/smoke', { method: 'POST' });
    expect(asked.status).toBe(202);
    const job = (await asked.json()) as { run_id: string; status: string; status_url: string };
    expect(['queued', 'running']).toContain(job.status);
    let status: { status: string; result?: { verdict: string; rollback: string | null } } = { status: job.status };
    for (let i = 0; i < 100 && status.status !== 'finished'; i++) {
      await sleep(100);
      status = (await (await api(job.status_url)).json()) as typeof status;
    }
    expect(status).toMatchObject({ status: 'finished', result: { verdict: 'red', rollback: 'git revert -m 1 cafe123' } });
    const board = await (await fetch(`${server.url}/deployments`)).text();
    expect(board).toContain('data-version="v3.3.0" data-status="red"');
    expect((await api('/api/releases/ghost/v1/smoke', { method: 'POST' })).status).toBe(404);
  });

  it('attributes each run it does itself to the token that asked for it, in the audit log', async () => {
    const ask = async (version: string, bearer: string) => {
      const asked = await api(`/api/releases/studio/${version}/smoke`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
      expect(asked.status).toBe(202);
      return ((await asked.json()) as { run_id: string }).run_id;
    };
    // The second is queued while the first runs: it must not inherit the first request's token.
    const first = await ask('v4.0.0', token);
    const second = await ask('v4.0.1', deployer);
    for (const runId of [first, second]) {
      let status = '';
      for (let i = 0; i < 100 && status !== 'finished'; i++) {
        status = ((await (await api(`/api/runs/${runId}`)).json()) as { status: string }).status;
        if (status !== 'finished') await sleep(100);
      }
      expect(status).toBe('finished');
    }
    const trail = async (version: string) => ((await (await api(`/api/releases/studio/${version}`)).json()) as { audit_trail: { kind: string; actor: string }[] }).audit_trail;
    expect((await trail('v4.0.0')).find((e) => e.kind === 'seal')?.actor).toMatch(/^token ci \(\w+\)$/);
    expect((await trail('v4.0.1')).find((e) => e.kind === 'seal')?.actor).toMatch(/^token deployer \(\w+\)$/);
  });

  it('says which port is taken instead of failing obscurely', async () => {
    const port = Number(new URL(server.url).port);
    const other = mkdtempSync(join(tmpdir(), 'seal-serve-'));
    try {
      await expect(startServer({ host: '127.0.0.1', port, public: false, store: { databaseUrl: null, dataDir: other }, config: null, logger: pino({ level: 'silent' }), env: {}, evidenceRoot: other })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is already in use: pick another with --port`,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('shuts down gracefully while a board is watching: the live stream ends and the store is released', async () => {
    const other = mkdtempSync(join(tmpdir(), 'seal-serve-'));
    const second = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: other }, config: null, logger: pino({ level: 'silent' }), env: {}, evidenceRoot: other });
    const stream = await fetch(`${second.url}/events`);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await second.close();
    // The stream ended (done), rather than hanging until the client gave up.
    let done = false;
    for (let i = 0; i < 20 && !done; i++) done = (await reader.read().catch(() => ({ done: true }))).done;
    expect(done).toBe(true);
    // The embedded store is free again: another process could open it now.
    const reopened = await openDb({ databaseUrl: null, dataDir: other, waitMs: 0 });
    await reopened.close();
    rmSync(other, { recursive: true, force: true });
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow();
  });

  it('--private: reading needs a token even on loopback (behind a reverse proxy on the same machine)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'seal-serve-'));
    const closed = await startServer({ host: '127.0.0.1', port: 0, public: false, private: true, store: { databaseUrl: null, dataDir: other }, config: null, logger: pino({ level: 'silent' }), env: {}, evidenceRoot: other });
    try {
      expect(closed.readAccess).toBe('token');
      const board = await fetch(`${closed.url}/deployments`, { redirect: 'manual' });
      expect(board.status).toBe(303);
      expect(board.headers.get('location')).toBe('/login?next=%2Fdeployments');
      expect((await fetch(`${closed.url}/api/releases`)).status).toBe(401);
      expect((await fetch(`${closed.url}/healthz`)).status).toBe(200);
    } finally {
      await closed.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  /** A server on a fresh embedded store whose app `soaky` has a 1 s soak, and a CI token for it. */
  async function startSoakingServer(logger: Logger): Promise<{ other: string; ci: string; soaking: RunningServer }> {
    const other = mkdtempSync(join(tmpdir(), 'seal-serve-'));
    const seed = await openDb({ databaseUrl: null, dataDir: other });
    const ci = (await new TokenStore(seed.db).create('ci')).token;
    await seed.close();
    const { config } = inspectConfig(`apps:\n  soaky:\n    production_url: ${production.url}\n    soak: [1s]\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n`, 'seal.config.yaml', {});
    const soaking = await startServer({ host: '127.0.0.1', port: 0, public: false, store: { databaseUrl: null, dataDir: other }, config, logger, env: process.env, evidenceRoot: join(other, 'evidence') });
    return { other, ci, soaking };
  }

  it('on the embedded store, a seal reported from CI starts its app\'s soak seals, which the server runs itself and keeps in the history', async () => {
    const { other, ci, soaking } = await startSoakingServer(pino({ level: 'silent' }));
    try {
      const reported = runResult('soaky', { release: { version: 'v1', sha: null, merge_sha: null, previous_version: null } });
      const posted = await fetch(`${soaking.url}/api/releases/soaky/v1/seals`, { method: 'POST', headers: { authorization: `Bearer ${ci}`, 'content-type': 'application/json' }, body: JSON.stringify(reported) });
      expect(posted.status).toBe(201);
      let history: { run_id: string; soak?: string; status: string }[] = [];
      for (let i = 0; i < 100 && history.length < 2; i++) {
        await sleep(50);
        history = ((await (await fetch(`${soaking.url}/api/releases/soaky/v1`)).json()) as { seal_history: typeof history }).seal_history;
      }
      expect(history.map((h) => h.soak ?? 'first')).toEqual(['1s', 'first']);
      expect(history[1]?.run_id).toBe(reported.run_id);
      expect(history[0]?.status).toBe('green');
    } finally {
      await soaking.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a soak seal whose release is no longer the app\'s newest when it starts is dropped, said in the log: it would check the newer code', async () => {
    const lines: string[] = [];
    const { other, ci, soaking } = await startSoakingServer(pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }));
    const post = (path: string, body: unknown) => fetch(`${soaking.url}/api${path}`, { method: 'POST', headers: { authorization: `Bearer ${ci}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      const reported = runResult('soaky', { release: { version: 'v1', sha: null, merge_sha: null, previous_version: null } });
      expect((await post('/releases/soaky/v1/seals', reported)).status).toBe(201);
      await waitFor(() => lines.some((line) => line.includes('soak seals scheduled')), "v1's soak to be scheduled");
      // v2 is deployed and recorded, not sealed (yet): nothing cancels v1's soak.
      expect((await post('/releases', { app: 'soaky', version: 'v2' })).status).toBe(201);
      await waitFor(() => lines.some((line) => line.includes('soak seal dropped: soaky v2 was deployed after v1')), 'the soak to be dropped');
      const history = ((await (await fetch(`${soaking.url}/api/releases/soaky/v1`)).json()) as { seal_history: { run_id: string }[] }).seal_history;
      expect(history.map((h) => h.run_id)).toEqual([reported.run_id]);
    } finally {
      await soaking.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('treats only loopback addresses as private', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', 'seal.example.com'].some(isLoopback)).toBe(false);
  });
});

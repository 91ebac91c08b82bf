/**
 * Recording has a deadline whatever the store does: on the machine's real Postgres, another
 * session holding a lock on `releases`, or the migrations' advisory lock, must not keep
 * `seal smoke` from printing its verdict and exiting 0; the notifiers are still told (from the
 * run in memory), and no release is left behind without its seal. Through the real CLI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { runCli } from './helpers/cli.js';
import { startFakeDiscord, type FakeDiscord } from './helpers/fakes/discord.js';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

const skip = await postgresSkipReason();

describe.skipIf(skip !== null)('recording on Postgres ends within SEAL_RECORD_TIMEOUT_MS', () => {
  let prod: TestServer;
  let discord: FakeDiscord;
  let db: { url: string; drop: () => Promise<void> };
  let config: string;
  const env = () => ({ DATABASE_URL: db.url, DISCORD_WEBHOOK_URL: discord.webhookUrl, SEAL_RECORD_TIMEOUT_MS: '3000' });
  const seal = (version: string) => runCli(['smoke', 'locked', '--config', config, '--release', version, '--json'], { env: env(), timeoutMs: 30_000 });
  const releaseExists = async (version: string) => (await runCli(['release', 'show', 'locked', version, '--json'], { env: env(), timeoutMs: 30_000 })).code === 0;

  beforeAll(async () => {
    prod = await startServer((_req, res) => reply(res, 200, 'OK'));
    discord = await startFakeDiscord();
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'seal-deadline-'));
    config = join(dir, 'seal.config.yaml');
    writeFileSync(config, `apps:\n  locked:\n    production_url: ${prod.url}\n    notify: [release-notes]\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\nnotifiers:\n  release-notes: { type: discord, webhook_url: "\${DISCORD_WEBHOOK_URL}", thread_id: "777", timeout_ms: 5000 }\n`);
    // The first seal creates the tables.
    expect((await seal('v1')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await prod?.close();
    await discord?.close();
    await db?.drop();
  });

  /** Runs `during` while another session holds what `take` takes, then lets go. */
  async function whileHeld<T>(take: string, during: () => Promise<T>): Promise<T> {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(take);
      return await during();
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  }

  it('a table lock on releases: the verdict, exit 0, a warning, the notifier told, and no release left without its seal', async () => {
    const told = discord.messages.size;
    const run = await whileHeld('LOCK TABLE releases IN ACCESS EXCLUSIVE MODE', () => seal('v2'));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    expect(result.warnings.some((w) => /^the seal was not recorded in the Postgres store \(DATABASE_URL\): canceling statement due to lock timeout$/.test(w))).toBe(true);
    expect(run.stderr).toContain('Seal: 🟢 green');
    expect(discord.messages.size).toBe(told + 1);
    // The transaction that would have created v2 was rolled back with its seal.
    expect(await releaseExists('v2')).toBe(false);
    // Once the lock is gone, the next seal records as usual.
    const after = await seal('v2');
    expect((JSON.parse(after.stdout) as RunResult).warnings).toEqual([]);
    expect(await releaseExists('v2')).toBe(true);
  }, 60_000);

  it('the migrations\' advisory lock held by another session: the same, with the store named', async () => {
    const run = await whileHeld('SELECT pg_advisory_lock(7236401)', () => seal('v3'));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    expect(result.warnings.some((w) => /^the seal was not recorded in the Postgres store \(DATABASE_URL\): cannot open the store \(postgres 127\.0\.0\.1:\d+\/seal_test_\w+\): canceling statement due to lock timeout$/.test(w))).toBe(true);
    expect(await releaseExists('v3')).toBe(false);
  }, 60_000);
});

describe('recording on a Postgres that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('the verdict, exit 0, and a warning naming the store, within the recording time', async () => {
    const prod = await startServer((_req, res) => reply(res, 200, 'OK'));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'seal-silent-'));
      const config = join(dir, 'seal.config.yaml');
      writeFileSync(config, `apps:\n  silent:\n    production_url: ${prod.url}\n    checks:\n      - { name: up, http: /up, expect: { status: 200 } }\n`);
      const port = (silent.address() as AddressInfo).port;
      const run = await runCli(['smoke', 'silent', '--config', config, '--release', 'v1', '--json'], { env: { DATABASE_URL: `postgres://seal@127.0.0.1:${port}/nothing`, SEAL_RECORD_TIMEOUT_MS: '3000' }, timeoutMs: 30_000 });
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as RunResult;
      expect(result.verdict).toBe('green');
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/^the seal was not recorded in the Postgres store \(DATABASE_URL\): (cannot open the store \(postgres 127\.0\.0\.1:\d+\/nothing\): .*timeout|recording did not finish within 3000 ms \(SEAL_RECORD_TIMEOUT_MS\))/);
    } finally {
      await prod.close();
    }
  }, 60_000);
});


/**
 * Recording has a deadline whatever the store does: on the machine's real Postgres, another
 * session holding a lock on `releases`, or the migrations' advisory lock, must not keep
 * `seal smoke` from printing its verdict and exiting 0; the notifiers are still told (from the
 * run in memory), and no release is left behind without its seal. Through the real CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/runner/run-result.js';
import { ROOT, runCli } from './helpers/cli.js';
import { startFakeDiscord, type FakeDiscord } from './helpers/fakes/discord.js';
import { createTestDatabase, postgresSkipReason } from './helpers/postgres.js';
import { reply, startServer, type TestServer } from './helpers/servers.js';

const skip = await postgresSkipReason();

describe.skipIf(skip !== null)('recording on Postgres ends within SEAL_RECORD_TIMEOUT_MS', () => {
  let prod: TestServer;
  let discord: FakeDiscord;
  let db: { url: string; drop: () => Promise<void> };
  let config: string;
  const env = () => ({ DATABASE_URL: db.url, DISCORD_WEBHOOK_URL: discord.webhookUrl, SEAL_RECORD_TIMEOUT_MS: '3000', SEAL_DATA_DIR: dataDir });
  const seal = (version: string) => runCli(['smoke', 'locked', '--config', config, '--release', version, '--json'], { env: env(), timeoutMs: 30_000 });
  const sealOf = async (version: string) => (JSON.parse((await runCli(['release', 'show', 'locked', version, '--json'], { env: env(), timeoutMs: 30_000 })).stdout) as { smoke_seal: { run_id: string } | null }).smoke_seal?.run_id;
  let dataDir: string;

  beforeAll(async () => {
    prod = await startServer((_req, res) => reply(res, 200, 'OK'));
    discord = await startFakeDiscord();
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'seal-deadline-'));
    dataDir = join(dir, 'data');
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

  /** The runs waiting in the outbox (their file names). */
  const outboxEntries = () => (existsSync(join(dataDir, 'outbox')) ? readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.json')) : []);

  /** Waits (at most ~10 s) for a run's outbox entry: it is written before the store is opened, so recording has begun. */
  async function untilRecordingBegins(): Promise<string[]> {
    for (let i = 0; i < 200 && outboxEntries().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outboxEntries()).toHaveLength(1);
    return outboxEntries();
  }

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
    // The verdict was printed before recording, without the ledger's view (the lock kept it from being read).
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    expect(result.warnings).toEqual([expect.stringMatching(/^the release and the rollback command are the run's own: the Postgres store \(DATABASE_URL\) could not be read/)]);
    expect(run.stderr).toContain('Seal: 🟢 green');
    // What recording found comes after the verdict, on stderr.
    expect(run.stderr).toMatch(/\nwarning: the seal was not recorded in the Postgres store \(DATABASE_URL\): canceling statement due to lock timeout \(kept in \S+\.json: `seal outbox flush` records it/);
    expect(run.stderr.indexOf('Seal: 🟢 green')).toBeLessThan(run.stderr.indexOf('warning: the seal was not recorded'));
    expect(discord.messages.size).toBe(told + 1);
    // The transaction that would have created v2 was rolled back with its seal; the run waits in the outbox.
    const kept = /\(kept in (\S+\.json): `seal outbox flush` records it/.exec(run.stderr)?.[1];
    expect(kept).toBe(join(dataDir, 'outbox', `${result.run_id}.json`));
    expect(existsSync(kept ?? '')).toBe(true);
    const direct = new pg.Client({ connectionString: db.url });
    await direct.connect();
    const rows = await direct.query("SELECT count(*)::int AS n FROM releases WHERE version = 'v2'").finally(() => direct.end());
    expect(rows.rows[0]).toEqual({ n: 0 });
    // `seal outbox list` shows it (without opening the store); once the lock is gone, flush records it.
    const list = await runCli(['outbox', 'list', '--json'], { env: env(), timeoutMs: 30_000 });
    expect((JSON.parse(list.stdout) as { entries: { run_id: string; release: string }[] }).entries).toMatchObject([{ run_id: result.run_id, release: 'v2' }]);
    const text = await runCli(['outbox', 'list'], { env: env(), timeoutMs: 30_000 });
    expect(text.stdout).toMatch(new RegExp(`^WRITTEN +APP +RELEASE +VERDICT +RUN +FOR\n\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC +locked +v2 +green +${result.run_id} +this machine's store\n$`));
    const flush = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(flush.code).toBe(0);
    expect(JSON.parse(flush.stdout)).toMatchObject({ recorded: [{ run_id: result.run_id, app: 'locked', release: 'v2', verdict: 'green' }], failed: [] });
    expect(existsSync(kept ?? '')).toBe(false);
    expect(await sealOf('v2')).toBe(result.run_id);
  }, 60_000);

  /** Waits (at most ~15 s) until another session of the test database waits on a lock. */
  async function untilSessionWaitsOnLock(): Promise<boolean> {
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    try {
      for (let i = 0; i < 300; i++) {
        const { rows } = await watcher.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        if ((rows[0] as { n: number }).n > 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return false;
    } finally {
      await watcher.end();
    }
  }

  /** Starts `seal smoke --json` for a release; resolves with the JSON printed once stdout has it (before recording ends). */
  function smokeUntilVerdict(version: string, extra: Record<string, string> = {}) {
    const child = spawn(process.execPath, [join(ROOT, 'bin/seal'), 'smoke', 'locked', '--config', config, '--release', version, '--json'], { env: { PATH: process.env.PATH, ...env(), SEAL_RECORD_TIMEOUT_MS: '60000', ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const verdict = new Promise<RunResult>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // One document, one line ending it: the verdict is out.
        if (stdout.endsWith('}\n')) resolve(JSON.parse(stdout) as RunResult);
      });
      void closed.then((code) => reject(new Error(`seal smoke ended (${code}) without printing its verdict first: ${stderr}`)));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return { child, verdict, closed, stderr: () => stderr };
  }

  it('kill -9 while recording waits on a lock: the verdict was already printed, the run is in the outbox, and the next command that opens the store records it', async () => {
    const runId = await whileHeld('LOCK TABLE releases IN ACCESS EXCLUSIVE MODE', async () => {
      const run = smokeUntilVerdict('v4');
      // Printed while recording still waits on the lock (its deadline is a minute away).
      const result = await run.verdict;
      expect(result).toMatchObject({ verdict: 'green', release: { version: 'v4' } });
      expect(run.stderr()).toContain('Seal: 🟢 green');
      expect(outboxEntries()).toEqual([`${result.run_id}.json`]);
      run.child.kill('SIGKILL');
      await run.closed;
      return result.run_id;
    });
    const list = await runCli(['release', 'list', 'locked'], { env: env(), timeoutMs: 30_000 });
    expect(list.stderr).toContain(`Recorded from the outbox: locked v4 green (run ${runId})`);
    expect(await sealOf('v4')).toBe(runId);
  }, 60_000);

  it('kill -9 while the store cannot even be opened (the migrations\' lock held): the verdict was printed, the run is recorded later', async () => {
    const runId = await whileHeld('SELECT pg_advisory_lock(7236401)', async () => {
      const run = smokeUntilVerdict('v6');
      const result = await run.verdict;
      expect(result.verdict).toBe('green');
      expect(result.warnings).toEqual([expect.stringMatching(/^the release and the rollback command are the run's own: the Postgres store \(DATABASE_URL\) could not be read within 3000 ms \(recording goes on, within 60000 ms\)$/)]);
      run.child.kill('SIGKILL');
      await run.closed;
      return result.run_id;
    });
    const flush = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(JSON.parse(flush.stdout)).toMatchObject({ recorded: [{ run_id: runId, release: 'v6' }], failed: [] });
    expect(await sealOf('v6')).toBe(runId);
  }, 60_000);

  it('a store that is down: the verdict, the run kept in the outbox, recorded once the store is back', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const run = await runCli(['smoke', 'locked', '--config', config, '--release', 'v9', '--json'], { env: { ...env(), DATABASE_URL: `postgres://seal@127.0.0.1:${closed.port}/gone` }, timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    expect(run.stderr).toMatch(/warning: the seal was not recorded in the Postgres store \(DATABASE_URL\): cannot open the store .*ECONNREFUSED/);
    expect(outboxEntries()).toEqual([`${result.run_id}.json`]);
    // The store is back (the test's database): the next command that opens it records the run.
    const flush = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(JSON.parse(flush.stdout)).toMatchObject({ recorded: [{ run_id: result.run_id, release: 'v9' }], failed: [] });
    expect(await sealOf('v9')).toBe(result.run_id);
  }, 60_000);

  it('killed after its seal was committed but before its outbox entry was removed: a flush records nothing twice', async () => {
    const run = await seal('v7');
    const result = JSON.parse(run.stdout) as RunResult;
    expect(outboxEntries()).toEqual([]);
    // The state a kill -9 between the commit and the removal leaves: the entry as it was written ahead.
    const entry = { version: 1, written_at: new Date().toISOString(), run: result, rollback_template: null, flags: { release: 'v7' }, env: {} };
    writeFileSync(join(dataDir, 'outbox', `${result.run_id}.json`), JSON.stringify(entry));
    const flush = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(flush.code).toBe(0);
    expect(JSON.parse(flush.stdout)).toMatchObject({ recorded: [{ run_id: result.run_id, release: 'v7' }], failed: [] });
    expect(outboxEntries()).toEqual([]);
    const show = JSON.parse((await runCli(['release', 'show', 'locked', 'v7', '--json'], { env: env(), timeoutMs: 30_000 })).stdout) as { seal_history: unknown[]; smoke_seal: { run_id: string } };
    expect(show.smoke_seal.run_id).toBe(result.run_id);
    expect(show.seal_history).toHaveLength(1);
  }, 60_000);

  it('kill -9 of `seal outbox flush` while it waits on a lock: the entry stays, and the next flush records it once', async () => {
    const runId = await whileHeld('LOCK TABLE releases IN ACCESS EXCLUSIVE MODE', async () => {
      const run = smokeUntilVerdict('v8', { SEAL_RECORD_TIMEOUT_MS: '1500' });
      const result = await run.verdict;
      expect(await run.closed).toBe(0);
      expect(outboxEntries()).toEqual([`${result.run_id}.json`]);
      const flush = spawn(process.execPath, [join(ROOT, 'bin/seal'), 'outbox', 'flush'], { env: { PATH: process.env.PATH, ...env() }, stdio: 'ignore' });
      const flushed = new Promise((resolve) => flush.on('close', resolve));
      // Killed once Postgres shows its session waiting on the lock.
      expect(await untilSessionWaitsOnLock()).toBe(true);
      flush.kill('SIGKILL');
      await flushed;
      expect(outboxEntries()).toEqual([`${result.run_id}.json`]);
      return result.run_id;
    });
    const again = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(JSON.parse(again.stdout)).toMatchObject({ recorded: [{ run_id: runId, release: 'v8' }], failed: [] });
    const show = JSON.parse((await runCli(['release', 'show', 'locked', 'v8', '--json'], { env: env(), timeoutMs: 30_000 })).stdout) as { seal_history: unknown[] };
    expect(show.seal_history).toHaveLength(1);
  }, 60_000);

  it('SIGTERM while recording waits on a lock: the verdict and the JSON are printed, exit 0, and the run stays in the outbox', async () => {
    await whileHeld('LOCK TABLE releases IN ACCESS EXCLUSIVE MODE', async () => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/seal'), 'smoke', 'locked', '--config', config, '--release', 'v5', '--json'], { env: { PATH: process.env.PATH, ...env(), SEAL_RECORD_TIMEOUT_MS: '60000' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await untilRecordingBegins();
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
      const result = JSON.parse(stdout) as RunResult;
      expect(result.verdict).toBe('green');
      expect(stderr).toContain('Seal: 🟢 green');
      expect(stderr).toContain('warning: SIGTERM arrived while the seal was being recorded: it was cut short (the run is kept in the outbox: `seal outbox flush` records it)');
      expect(outboxEntries()).toEqual([`${result.run_id}.json`]);
    });
    const flush = await runCli(['outbox', 'flush', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(JSON.parse(flush.stdout)).toMatchObject({ recorded: [{ release: 'v5' }], failed: [] });
  }, 60_000);

  it('the migrations\' advisory lock held by another session: the same, with the store named', async () => {
    const run = await whileHeld('SELECT pg_advisory_lock(7236401)', () => seal('v3'));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.verdict).toBe('green');
    expect(run.stderr.split('\n').some((w) => /^warning: the seal was not recorded in the Postgres store \(DATABASE_URL\): cannot open the store \(postgres 127\.0\.0\.1:\d+\/seal_test_\w+\): canceling statement due to lock timeout \(kept in \S+\.json: `seal outbox flush` records it/.test(w))).toBe(true);
    // The lock gone, the next command that opens the store records the seal from the outbox first.
    const show = await runCli(['release', 'show', 'locked', 'v3', '--json'], { env: env(), timeoutMs: 30_000 });
    expect(show.stderr).toContain(`Recorded from the outbox: locked v3 green (run ${result.run_id})`);
    expect((JSON.parse(show.stdout) as { smoke_seal: { run_id: string } }).smoke_seal.run_id).toBe(result.run_id);
  }, 60_000);
});

describe.skipIf(skip !== null)('seal serve on a Postgres whose migrations lock another session holds', () => {
  it('fails to start within SEAL_STORE_TIMEOUT_MS, saying why, instead of waiting for ever', async () => {
    const db = await createTestDatabase();
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7236401)');
      const run = await runCli(['serve', '--port', '0'], { env: { DATABASE_URL: db.url, SEAL_STORE_TIMEOUT_MS: '1500', SEAL_DATA_DIR: mkdtempSync(join(tmpdir(), 'seal-serve-lock-')) }, timeoutMs: 30_000 });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^seal serve: cannot open the store \(postgres 127\.0\.0\.1:\d+\/seal_test_\w+\): canceling statement due to lock timeout\n$/);
    } finally {
      await other.end();
      await db.drop();
    }
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
      expect(result.warnings).toEqual([expect.stringMatching(/^the release and the rollback command are the run's own: the Postgres store \(DATABASE_URL\) could not be read/)]);
      expect(run.stderr).toMatch(/\nwarning: the seal was not recorded in the Postgres store \(DATABASE_URL\): (cannot open the store \(postgres 127\.0\.0\.1:\d+\/nothing\): .*timeout|recording did not finish within 3000 ms \(SEAL_RECORD_TIMEOUT_MS\))/);
    } finally {
      await prod.close();
    }
  }, 60_000);
});


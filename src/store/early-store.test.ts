/**
 * The embedded store opened in a worker thread while a seal's checks run (early-store.ts): what
 * the thread answers is what PGlite answers on the main thread (the ledger's and the audit log's
 * contracts also run on it, in ledger.test.ts and audit.test.ts); it never waits for the lock, and
 * gives the store up to a process that asks for it until it is taken. Real PGlite, real threads.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import { openStoreEarly, type EarlyStore } from './early-store.js';
import { Ledger } from './ledger.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seal-early-'));
  dirs.push(dir);
  return dir;
}

function early(dir: string, fresh = true): EarlyStore {
  const store = openStoreEarly({ databaseUrl: null, dataDir: dir }, fresh);
  if (!store) throw new Error('dist/store-worker.js is missing: the global setup builds it');
  return store;
}

/** Rows of a statement, whichever driver answered. */
async function rows<T>(db: Awaited<ReturnType<typeof openDb>>['db'], query: ReturnType<typeof sql>): Promise<T[]> {
  const answer: unknown = await db.execute(query);
  return (answer as { rows: T[] }).rows;
}

describe('the embedded store opened in a worker thread', () => {
  it('a thread ended while it holds the store (recording cut short by its deadline) leaves no lock behind: the next open does not wait for it to go stale', async () => {
    const dir = dataDir();
    const lock = join(dir, 'db.lock');
    const opening = early(dir);
    const taken = await opening.take();
    if (!taken.store) throw new Error(taken.why);
    await new Ledger(taken.store.db).recordRelease({ app: 'cut', version: 'v1' });
    expect(existsSync(lock)).toBe(true);
    // Ended without closing, as recording's deadline or Ctrl-C ends it.
    await opening.dispose();
    expect(existsSync(lock)).toBe(false);
    // No wait at all is allowed: a lock left behind would make this a "stayed busy" error.
    const next = await openDb({ databaseUrl: null, dataDir: dir, waitMs: 0 });
    expect((await new Ledger(next.db).getRelease('cut', 'v1'))?.version).toBe('v1');
    await next.close();
  });

  it('makes a fresh store, writes through it, commits and rolls back, and what it wrote is there when the store is opened the usual way', async () => {
    const dir = dataDir();
    const opening = early(dir);
    expect(opening.fresh).toBe(true);
    const taken = await opening.take();
    if (!taken.store) throw new Error(taken.why);
    expect(taken.store.origin).toBe('template');
    const ledger = new Ledger(taken.store.db);
    await ledger.recordRelease({ app: 'thread', version: 'v1', sha: 'a'.repeat(40) });
    // A transaction that fails leaves nothing.
    await expect(
      taken.store.db.transaction(async (tx) => {
        await new Ledger(tx).recordRelease({ app: 'thread', version: 'v2' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // Postgres's error crosses the thread with its code.
    await expect(rows(taken.store.db, sql`SELECT * FROM no_such_table`)).rejects.toMatchObject({ cause: { message: 'relation "no_such_table" does not exist', code: '42P01' } });
    // Dates come back as drizzle reads them on the main thread: text, not Date objects.
    const [row] = await rows<{ at: unknown }>(taken.store.db, sql`SELECT created_at AS at FROM releases LIMIT 1`);
    expect(typeof row?.at).toBe('string');
    await taken.store.close();
    expect(existsSync(join(dir, 'db.lock'))).toBe(false);

    const again = await openDb({ databaseUrl: null, dataDir: dir, waitMs: 0 });
    const versions = (await new Ledger(again.db).listReleases('thread')).map((r) => r.version);
    await again.close();
    expect(versions).toEqual(['v1']);
  }, 60_000);

  it('does not wait for a store another process holds: the seal opens it the usual way after the verdict', async () => {
    const dir = dataDir();
    const holder = await openDb({ databaseUrl: null, dataDir: dir });
    try {
      const taken = await early(dir, false).take();
      expect(taken.store).toBeNull();
      expect(taken.why).toMatch(/could not be opened while the checks ran .*in use by another seal process/);
    } finally {
      await holder.close();
    }
  }, 60_000);

  it('gives the store up to a process that asks for it before it is taken, and lets go of the lock', async () => {
    const dir = dataDir();
    await (await openDb({ databaseUrl: null, dataDir: dir })).close();
    const opening = early(dir, false);
    // Open in the thread: the lock is held.
    await waitFor(() => existsSync(join(dir, 'db.lock')), 'the thread to take the lock');
    // Another live process says it wants the store, as a seal server or a second seal does.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, `db.want-${other.pid}`), '');
      await waitFor(() => !existsSync(join(dir, 'db.lock')), 'the thread to let go of the lock');
      const taken = await opening.take();
      expect(taken.store).toBeNull();
      expect(taken.why).toBe('another process asked for it while the checks ran');
    } finally {
      other.kill();
    }
    // Nobody holds it: it opens at once. The thread, which let go, never touches the lock held now when it is ended.
    const now = await openDb({ databaseUrl: null, dataDir: dir, waitMs: 0 });
    await opening.dispose();
    expect(existsSync(join(dir, 'db.lock'))).toBe(true);
    await now.close();
  }, 60_000);

  it('refuses a row parser that would change the text, rather than answer differently than on the main thread', async () => {
    const dir = dataDir();
    const taken = await early(dir).take();
    if (!taken.store) throw new Error(taken.why);
    const client = (taken.store.db as unknown as { $client: { query: (sql: string, params: unknown[], options: object) => Promise<unknown> } }).$client;
    await expect(client.query('SELECT now()', [], { parsers: { 1184: (text: string) => new Date(text) } })).rejects.toThrow('a parser for type 1184 that changes the text cannot be used with the store\'s thread');
    await taken.store.close();
  }, 60_000);

  it('disposing stops the thread even while it opens the store', async () => {
    const dir = dataDir();
    const opening = early(dir);
    await opening.dispose();
    const taken = await opening.take();
    expect(taken.store).toBeNull();
    expect(taken.why).toMatch(/the store's thread ended/);
  }, 60_000);
});

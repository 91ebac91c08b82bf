/** Live boards on Postgres: every audited change reaches a LISTENing server, and a lost connection is replaced. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { openDb, type OpenDb } from '../store/db.js';
import { Ledger } from '../store/ledger.js';
import { createSealEvents, type BoardEvent } from './events.js';
import { boardEventOf, listenForBoard, type BoardListener } from './pg-listen.js';

const skip = await postgresSkipReason();

describe('what a notification says', () => {
  it('takes the kind, app and version, and ignores anything malformed or oversized', () => {
    expect(boardEventOf('{"kind":"seal","app":"studio","version":"v1"}')).toEqual({ type: 'seal', app: 'studio', version: 'v1' });
    expect(boardEventOf('{"kind":"incident","app":null,"version":null}')).toEqual({ type: 'change', app: null, version: null });
    expect(boardEventOf('{"kind":"release","app":7,"version":["x"]}')).toEqual({ type: 'release', app: null, version: null });
    for (const bad of [undefined, '', 'not json', '"text"', 'null', `{"kind":"seal","app":"${'a'.repeat(8001)}"}`]) expect(boardEventOf(bad)).toBeNull();
  });

  it("a server's own publish is not said twice while the listener delivers every change", () => {
    let connected = true;
    const events = createSealEvents({ notified: () => connected });
    const seen: BoardEvent[] = [];
    events.subscribe((event) => seen.push(event));
    events.publish({ type: 'seal', app: 'studio', version: 'v1' });
    events.deliver({ type: 'seal', app: 'studio', version: 'v1' });
    connected = false;
    events.publish({ type: 'seal', app: 'studio', version: 'v2' });
    expect(seen.map((e) => e.version)).toEqual(['v1', 'v2']);
    events.close();
  });
});

describe.skipIf(skip)('LISTEN/NOTIFY on the real Postgres', () => {
  let database: { url: string; drop: () => Promise<void> };
  let store: OpenDb;
  let ledger: Ledger;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openDb({ databaseUrl: database.url, dataDir: '/nonexistent' });
    ledger = new Ledger(store.db);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('a change committed by anyone reaches the listener with its app and version; a rolled-back one says nothing', async () => {
    const seen: BoardEvent[] = [];
    const listener = await listenForBoard({ databaseUrl: database.url, onEvent: (event) => seen.push(event) });
    try {
      await ledger.recordRelease({ app: 'studio', version: 'v1' });
      await waitFor(() => seen.length > 0, 'the notification');
      expect(seen).toEqual([{ type: 'release', app: 'studio', version: 'v1' }]);
      // A transaction that rolls back notifies nobody; the next commit is heard alone.
      await expect(
        store.db.transaction(async (tx) => {
          await new Ledger(tx).recordRelease({ app: 'studio', version: 'v-rolled-back' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await ledger.recordRelease({ app: 'studio', version: 'v2' });
      await waitFor(() => seen.length > 1, 'the second notification');
      expect(seen.map((e) => e.version)).toEqual(['v1', 'v2']);
    } finally {
      await listener.close();
    }
  });

  it('a LISTEN connection killed by Postgres is replaced; the board is told to reload, and later changes arrive again', async () => {
    const seen: BoardEvent[] = [];
    const errors: unknown[] = [];
    let listener: BoardListener | null = null;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      listener = await listenForBoard({ databaseUrl: database.url, onEvent: (event) => seen.push(event), onError: (error) => errors.push(error) });
      const killed = await admin.query<{ n: number }>(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'seal-board-listen' AND datname = current_database()`);
      expect(killed.rows[0]?.n).toBe(1);
      await waitFor(() => seen.some((e) => e.type === 'change'), 'the reload after reconnecting', 10_000);
      expect(errors.length).toBeGreaterThan(0);
      expect(listener.connected()).toBe(true);
      await ledger.recordRelease({ app: 'studio', version: 'v3' });
      await waitFor(() => seen.some((e) => e.version === 'v3'), 'a change after the reconnect');
    } finally {
      await listener?.close();
      await admin.end();
    }
  });
});

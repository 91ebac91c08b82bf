/** Live updates: a write by another process is noticed through the store's change mark. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openDb } from '../store/db.js';
import { Ledger } from '../store/ledger.js';
import { createSealEvents, type BoardEvent } from './events.js';

describe('board events', () => {
  it('a release recorded by someone else (not published here) reaches a watching board as a change; nothing is polled once nobody watches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seal-events-'));
    const store = await openDb({ databaseUrl: null, dataDir: dir });
    const ledger = new Ledger(store.db);
    let polls = 0;
    const events = createSealEvents({ changeMark: () => (polls++, ledger.changeMark()), pollMs: 50 });
    try {
      const seen: BoardEvent[] = [];
      const unsubscribe = events.subscribe((event) => seen.push(event));
      await sleep(120);
      await ledger.recordRelease({ app: 'elsewhere', version: 'v1' });
      for (let i = 0; i < 40 && seen.length === 0; i++) await sleep(50);
      expect(seen).toEqual([{ type: 'change', app: null, version: null }]);
      unsubscribe();
      const after = polls;
      await sleep(200);
      expect(polls).toBe(after);
    } finally {
      events.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

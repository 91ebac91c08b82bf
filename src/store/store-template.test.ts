/**
 * A fresh embedded store is unpacked from the migrated template the build ships, and is the same
 * store initdb and the migrations would have made; without a usable template, initdb still works.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { builtFile } from '../package-root.js';
import { openDb, type OpenDb } from './db.js';
import { Ledger } from './ledger.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seal-template-'));
  dirs.push(dir);
  return dir;
}

/** Every table and column of the public schema, and the migrations drizzle recorded. */
async function shapeOf(store: OpenDb): Promise<{ columns: string[]; migrations: number }> {
  // Both drivers answer with `rows`; the shared type does not say so.
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => {
    const answer: unknown = await store.db.execute<Record<string, unknown>>(query);
    return (answer as { rows: T[] }).rows;
  };
  const columns = await rows<{ c: string }>(sql`SELECT table_name || '.' || column_name || ' ' || data_type AS c FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`);
  const migrations = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  return { columns: columns.map((r) => r.c), migrations: migrations[0]?.n ?? 0 };
}

describe('the embedded store template', () => {
  it('is shipped by the build', () => {
    expect(builtFile('store-template.tar.gz')).not.toBeNull();
  });

  it('makes a fresh store that is the same as initdb plus the migrations, works, and is simply reopened after', async () => {
    const fromTemplate = freshDir();
    const store = await openDb({ databaseUrl: null, dataDir: fromTemplate });
    expect(store.origin).toBe('template');
    const shape = await shapeOf(store);
    await new Ledger(store.db).recordRelease({ app: 'tpl', version: 'v1' });
    await store.close();

    const made = await openDb({ databaseUrl: null, dataDir: freshDir(), template: null });
    expect(made.origin).toBe('initdb');
    expect(await shapeOf(made)).toEqual(shape);
    expect(shape.migrations).toBeGreaterThan(0);
    await made.close();

    const again = await openDb({ databaseUrl: null, dataDir: fromTemplate });
    expect(again.origin).toBe('existing');
    expect((await new Ledger(again.db).getRelease('tpl', 'v1'))?.version).toBe('v1');
    await again.close();
  }, 60_000);

  it('a template that cannot be unpacked falls back to initdb, leaving a working store', async () => {
    const broken = join(freshDir(), 'broken.tar.gz');
    writeFileSync(broken, 'not a tarball at all');
    const store = await openDb({ databaseUrl: null, dataDir: freshDir(), template: broken });
    expect(store.origin).toBe('initdb');
    await new Ledger(store.db).recordRelease({ app: 'tpl', version: 'v1' });
    await store.close();
  }, 60_000);
});

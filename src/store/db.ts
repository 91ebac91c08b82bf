/**
 * The only module that knows which database driver is in use: the embedded PGlite store in
 * `<data dir>/db` by default, or Postgres when `DATABASE_URL` is set. Both get the same schema
 * and the same committed migrations (drizzle/), applied on open. Everything else sees a drizzle
 * `PgDatabase`, one SQL dialect either way.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { errorMessage, SealError } from '../errors.js';
import { builtFile, findPackageRoot } from '../package-root.js';
import * as schema from './schema.js';
import { unpackTemplate } from './unpack-template.js';
import { LOCK_WAIT_MS, type StoreLocation } from './location.js';

export { describeStore, isNewEmbeddedStore, msFromEnv, storeLocation, type StoreLocation } from './location.js';

/** A drizzle database over the ledger's schema, whatever the driver. */
export type LedgerDb = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open store. */
export interface OpenDb {
  readonly db: LedgerDb;
  /** For the embedded store: how it came to be (tests and diagnostics). */
  readonly origin?: StoreOrigin;
  close(): Promise<void>;
}


/** The store cannot be used right now (busy, unreachable, broken); the message says what to do. */
export class StoreError extends SealError {
  override readonly name = 'StoreError';
}

/** A lock not refreshed for this long belongs to a process that died: it is taken over. */
const LOCK_STALE_MS = 5_000;





/** Opens the store and brings its schema up to date. */
export async function openDb(location: StoreLocation): Promise<OpenDb> {
  return location.databaseUrl
    ? openPostgres(location.databaseUrl, location.poolMax ?? 4, location.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS)
    : openEmbedded(join(location.dataDir, 'db'), location.waitMs ?? LOCK_WAIT_MS, location.template === undefined ? defaultTemplate() : location.template, location.shared ?? false);
}

function migrationsFolder(): string {
  const folder = join(findPackageRoot(fileURLToPath(import.meta.url)), 'drizzle');
  if (!existsSync(folder)) throw new StoreError(`the store's migrations are missing (${folder}); reinstall smoke-seal`);
  return folder;
}

/** How long a Postgres statement or lock wait may take by default. */
const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Postgres: a small pool; migrations under an advisory lock, so concurrent first runs do not
 * race. Every statement and every lock wait (the advisory lock included; a lock wait ends a
 * little sooner, so that the error says it was a lock) is bounded by
 * `timeoutMs` on the server side (and 2 s later on ours, for a server that stopped answering),
 * and connecting by 5 s.
 */
async function openPostgres(url: string, max: number, timeoutMs: number): Promise<OpenDb> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const describe = `postgres ${safeUrl(url)}`;
  const bound = Math.max(1, Math.round(timeoutMs));
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: Math.min(5_000, bound), idleTimeoutMillis: max > 4 ? 30_000 : 1_000, statement_timeout: bound, lock_timeout: Math.max(1, Math.floor(bound * 0.8)), query_timeout: bound + 2_000 });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7236401)');
      try {
        await migrate(drizzle(client, { schema }), { migrationsFolder: migrationsFolder() });
      } finally {
        await client.query('SELECT pg_advisory_unlock(7236401)');
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot open the store (${describe}): ${errorMessage(error)}`, { cause: error });
  }
  return { db: drizzle(pool, { schema }), close: () => pool.end() };
}

/**
 * The embedded store: one process at a time holds it. A second process waits up to `waitMs`
 * for the first to finish, then fails with what to do instead. While it waits it says so with a
 * "want" file next to the lock, and a seal server holding the store (`shared`) lets go of it
 * as soon as it is idle, takes it back when the next request comes, and so the board and the CLI
 * share one data directory.
 */
async function openEmbedded(dir: string, waitMs: number, template: string | null, shared = false): Promise<OpenDb> {
  const describe = `embedded ${dir}`;
  const { client, origin, release } = await openEmbeddedClient(dir, { waitMs, announce: !shared, template });
  try {
    const { drizzle } = await import('drizzle-orm/pglite');
    if (shared) {
      const { PGlite } = await import('@electric-sql/pglite');
      const { SharedPglite } = await import('./shared-embedded.js');
      const sharedClient = new SharedPglite({
        dir,
        first: { client, release },
        reopen: async () => {
          // Said with a want file: a seal opening the store while its checks run gives it up at once.
          const again = await lockEmbedded(dir, waitMs, true);
          try {
            return { client: await PGlite.create(dir, { postgresqlconf: ['shared_buffers = 8MB'] }), release: again };
          } catch (error) {
            await again().catch(() => undefined);
            throw new StoreError(`cannot open the store (${describe}): ${errorMessage(error)}`, { cause: error });
          }
        },
      });
      return { db: drizzle(sharedClient as unknown as InstanceType<typeof PGlite>, { schema }), origin, close: () => sharedClient.close() };
    }
    return {
      db: drizzle(client, { schema }),
      origin,
      close: async () => {
        try {
          await client.close();
        } finally {
          await release().catch(() => undefined);
        }
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    await release().catch(() => undefined);
    throw new StoreError(`cannot open the store (${describe}): ${errorMessage(error)}`, { cause: error });
  }
}

/** An embedded store's PGlite, locked, created if need be and migrated, with its lock's release. */
export interface EmbeddedClient {
  readonly client: PGliteType;
  readonly origin: StoreOrigin;
  readonly release: () => Promise<void>;
}

/**
 * Locks the embedded store in `dir` (waiting up to `waitMs`; `announce` writes the "want" file
 * meanwhile), opens PGlite on it (made from the template when new) and applies the migrations.
 * Also what the worker thread of early-store.ts runs, with no wait.
 */
export async function openEmbeddedClient(dir: string, { waitMs, announce, template, heldFlag }: { readonly waitMs: number; readonly announce: boolean; readonly template: string | null; readonly heldFlag?: Int32Array }): Promise<EmbeddedClient> {
  const describe = `embedded ${dir}`;
  mkdirSync(dir, { recursive: true });
  const locked = await lockEmbedded(dir, waitMs, announce);
  // Said to whoever shares `heldFlag` (the early store's main thread): 1 while the lock is held.
  if (heldFlag) Atomics.store(heldFlag, 0, 1);
  const release = heldFlag
    ? (): Promise<void> => {
        Atomics.store(heldFlag, 0, 0);
        return locked();
      }
    : locked;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const { client, origin } = await createPglite(PGlite, dir, template);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: migrationsFolder() });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return { client, origin, release };
  } catch (error) {
    await release().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open the store (${describe}): ${errorMessage(error)}`, { cause: error });
  }
}

/** The template a fresh embedded store is unpacked from, by default (null before any build). */
export function defaultTemplate(): string | null {
  return builtFile(TEMPLATE);
}

/**
 * Takes the embedded store's lock, waiting up to `waitMs`. With `announce`, a "want" file
 * (`<dir>.want-<pid>`) says meanwhile that this process is waiting, which a seal server holding
 * the store answers by letting go of it; the file goes once the wait ends.
 */
async function lockEmbedded(dir: string, waitMs: number, announce: boolean): Promise<() => Promise<void>> {
  const { default: lockfile } = await import('proper-lockfile');
  const want = `${dir}.want-${process.pid}`;
  if (announce) writeFileSync(want, '');
  try {
    return await lockfile.lock(dir, {
      lockfilePath: `${dir}.lock`,
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_STALE_MS / 2,
      retries: { retries: Math.ceil(waitMs / 100), minTimeout: 100, maxTimeout: 100, factor: 1 },
      // A lost lock (the directory removed under us) must not crash the process.
      onCompromised: () => undefined,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StoreError(
        `the embedded store (${dir}) is in use by another seal process and stayed busy for ${waitMs / 1000} s. ` +
          'It takes one writer at a time: to record from several processes at once, report to a seal server (--server URL) or use Postgres (DATABASE_URL).',
      );
    }
    throw new StoreError(`cannot lock the embedded store (${dir}): ${errorMessage(error)}`, { cause: error });
  } finally {
    if (announce) rmSync(want, { force: true });
  }
}

/** How an embedded store came to be: unpacked from the template, made by initdb, or already there. */
export type StoreOrigin = 'template' | 'initdb' | 'existing';

type PgliteClass = typeof PGliteType;

/**
 * Opens PGlite on `dir`. A fresh store is unpacked from the migrated template the build ships
 * (dist/store-template.tar.gz, scripts/store-template.mjs; unpack-template.ts) and opened as an
 * existing one: about a second and 250 MB at peak instead of initdb's 2–9 s and ~790 MB. Without a template, or when it cannot be unpacked
 * (another PGlite version), initdb makes it as before.
 */
async function createPglite(PGlite: PgliteClass, dir: string, template: string | null): Promise<{ client: InstanceType<PgliteClass>; origin: StoreOrigin }> {
  // A ledger is small: 8 MB of shared buffers instead of 128 MB keeps a seal's peak memory
  // about 130 MB lower (measured), and opening it faster.
  const options = { postgresqlconf: ['shared_buffers = 8MB'] };
  if (existsSync(join(dir, 'PG_VERSION'))) return { client: await PGlite.create(dir, options), origin: 'existing' };
  if (template) {
    try {
      unpackTemplate(template, dir);
      return { client: await PGlite.create(dir, options), origin: 'template' };
    } catch {
      // Not a data directory yet (no PG_VERSION when we started, and we hold the lock): what the
      // failed unpacking left is ours to clear before initdb.
      for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  return { client: await PGlite.create(dir, options), origin: 'initdb' };
}

/** The template's file name in dist/ (see scripts/store-template.mjs). */
const TEMPLATE = 'store-template.tar.gz';

/** Host and database of a URL, never its credentials: for messages. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

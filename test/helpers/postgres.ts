/**
 * The machine's real Postgres for tests: each suite creates a database of its own and drops
 * it afterwards. `SEAL_TEST_POSTGRES_URL` points at a server (default 127.0.0.1:5432, user
 * postgres). Locally an unreachable server skips those tests with the reason; under CI=true
 * it fails them, since CI must run them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.SEAL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Null when Postgres is reachable; else why its tests skip (throws under CI=true). */
export async function postgresSkipReason(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const reason = `Postgres tests skipped: ${ADMIN_URL.replace(/\/\/[^@]*@/, '//')} is not reachable (${(error as Error).message}); set SEAL_TEST_POSTGRES_URL`;
    if (process.env.CI === 'true') throw new Error(`${reason}. Under CI=true they must run.`, { cause: error });
    process.stderr.write(`${reason}\n`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database; `drop()` removes it (and closes what still uses it). */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `seal_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

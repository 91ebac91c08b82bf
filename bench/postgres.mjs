// The machine's Postgres, as the bench uses it: a database of its own, created for one section
// and dropped at the end of it. 127.0.0.1:5432, user postgres, trust auth, unless
// SEAL_BENCH_POSTGRES_URL names another server (its admin database).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.SEAL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates a database `<prefix>_<10 hex digits>` on the machine's Postgres. Returns its URL, the
 * server's version, the admin connection (open until drop()) and drop(), which drops the
 * database (closing whatever is still connected to it) and closes the admin connection; drop()
 * never throws, so it can sit in a `finally`. Throws, leaving nothing behind, when Postgres cannot
 * be reached or refuses the database.
 */
export async function createDatabase(prefix) {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  // A server that accepts but never answers fails the connection after 10 s instead of hanging.
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 10_000 });
  // A connection that breaks while idle (Postgres restarted) must not crash the bench: drop() then
  // fails quietly instead.
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    throw error;
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const version = (await admin.query('SHOW server_version').catch(() => null))?.rows[0]?.server_version ?? 'unknown';
  return {
    name,
    url: url.toString(),
    version,
    admin,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}

/**
 * Where the store is, from the environment: what a command needs to know before it opens the
 * store (or instead of opening it). Kept apart from db.ts so that a seal loads the store's code
 * (drizzle, PGlite) only once it records, after the verdict.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the store lives: `DATABASE_URL`, else the embedded directory. */
export interface StoreLocation {
  readonly databaseUrl: string | null;
  /** `SEAL_DATA_DIR` or `.seal`: the embedded store is `<dataDir>/db`. */
  readonly dataDir: string;
  /** How long a second process waits for the embedded store (`SEAL_STORE_WAIT_MS`, default 10 s). */
  readonly waitMs?: number;
  /** Postgres connections at most (a server wants more than one seal does). */
  readonly poolMax?: number;
  /** The tarball a fresh embedded store is unpacked from: the build's by default, null for initdb. */
  readonly template?: string | null;
  /**
   * Postgres: the longest any one statement, or any wait for a lock (a table lock held by another
   * session, the migrations' advisory lock), may take before it fails (`SEAL_STORE_TIMEOUT_MS`,
   * default 30 s). Nothing waits on Postgres forever, `seal serve`'s start included.
   */
  readonly statementTimeoutMs?: number;
  /**
   * The embedded store for a long-running server: held only while it is used, and let go of
   * whenever another seal process waits for it (see shared-embedded.ts).
   */
  readonly shared?: boolean;
}

/** How long a second process waits for the embedded store before giving up, by default. */
export const LOCK_WAIT_MS = 10_000;

/** The store's location from the environment. */
export function storeLocation(env: NodeJS.ProcessEnv, cwd: string): StoreLocation {
  const url = env.DATABASE_URL?.trim();
  const statement = msFromEnv(env, 'SEAL_STORE_TIMEOUT_MS');
  return {
    databaseUrl: url ? url : null,
    dataDir: env.SEAL_DATA_DIR?.trim() || join(cwd, '.seal'),
    waitMs: msFromEnv(env, 'SEAL_STORE_WAIT_MS', { zero: true }) ?? LOCK_WAIT_MS,
    ...(statement !== undefined ? { statementTimeoutMs: statement } : {}),
  };
}

/** Whether the store is the embedded one and not created yet: then it holds nothing, and nobody needs to open it to know. */
export function isNewEmbeddedStore(location: StoreLocation): boolean {
  return location.databaseUrl === null && !existsSync(join(location.dataDir, 'db'));
}

/** The store as warnings name it: "the Postgres store (DATABASE_URL)" or "the embedded store (<dir>)". */
export function describeStore(location: StoreLocation): string {
  return location.databaseUrl ? 'the Postgres store (DATABASE_URL)' : `the embedded store (${location.dataDir})`;
}

/** A duration in ms from the environment, or undefined when it is not set or not a positive number (or 0, with `zero`). */
export function msFromEnv(env: NodeJS.ProcessEnv, name: string, { zero = false } = {}): number | undefined {
  const text = env[name]?.trim();
  const value = Number(text);
  return text && Number.isFinite(value) && (value > 0 || (zero && value === 0)) ? value : undefined;
}

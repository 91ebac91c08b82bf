/**
 * `seal serve`: the board and API until Ctrl-C or SIGTERM. Structured logs (pino, JSON) on
 * stdout; one human line on stderr saying where the board is.
 */
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { findConfigPath, loadConfig } from '../../config/load.js';
import type { SealConfig } from '../../config/types.js';
import { SealError, errorMessage } from '../../errors.js';
import { defaultEvidenceRoot } from '../../runner/run-suite.js';
import { storeLocation } from '../../store/db.js';
import { startServer } from '../../web/server.js';
import { queueOptionsFromEnv } from '../../queue/pg-boss.js';
import type { CliIo } from '../io.js';

/** Flags of `seal serve`. */
export interface ServeFlags {
  readonly port?: string;
  readonly host?: string;
  readonly public?: boolean;
  readonly private?: boolean;
  readonly config?: string;
  readonly workerConcurrency?: string;
}

/** The default port (SEAL_PORT overrides). */
export const DEFAULT_PORT = 4400;

/** Parses a port flag: a whole number from 0 (any free port) to 65535. */
export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port > 65_535) throw new SealError(`${what} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

/** Runs the server until a signal; returns the exit code. */
export async function serveCommand(flags: ServeFlags, io: CliIo): Promise<number> {
  let server: Awaited<ReturnType<typeof startServer>>;
  // The log is written asynchronously; the CLI leaves with process.exit() once the command returns,
  // so the last lines ("stopped") are flushed by hand before that.
  let destination: ReturnType<typeof pino.destination> | undefined;
  try {
    const port = parsePort(flags.port ?? io.env.SEAL_PORT ?? String(DEFAULT_PORT), flags.port ? '--port' : 'SEAL_PORT');
    const host = flags.host ?? '127.0.0.1';
    if (flags.public && flags.private) throw new SealError('--public and --private contradict each other: pick one');
    const config = loadServerConfig(flags, io);
    destination = pino.destination({ fd: 1, sync: false });
    const logger = pino({ level: io.env.SEAL_LOG_LEVEL ?? 'info', base: { service: 'seal-server' } }, destination);
    const store = storeLocation(io.env, io.cwd);
    const workerConcurrency = flags.workerConcurrency === undefined ? 1 : parseConcurrency(flags.workerConcurrency);
    const queue = store.databaseUrl ? queueOptionsFromEnv(io.env) : {};
    server = await startServer({ host, port, public: flags.public ?? false, private: flags.private ?? false, store, config, logger, env: io.env, evidenceRoot: defaultEvidenceRoot(io.env, io.cwd), workerConcurrency, queue });
    const where = store.databaseUrl ? 'Postgres (DATABASE_URL)' : `embedded store ${store.dataDir}`;
    io.stderr.write(
      `seal serve: board at ${server.url}/deployments (${where}; ${server.readAccess === 'open' ? (flags.public ? 'public: anyone who reaches it can read' : 'reading open to this machine') : 'reading needs a token'}; ` +
        `writes need a token${config ? `; smoke runs for ${Object.keys(config.apps).join(', ')}` : ''}). Ctrl-C stops it.\n`,
    );
  } catch (error) {
    io.stderr.write(`seal serve: ${errorMessage(error)}\n`);
    return 2;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  try {
    destination?.flushSync();
  } catch {
    // A log that cannot be flushed (stdout closed) must not change how the server ends.
  }
  return 0;
}

/** --worker-concurrency: 0 (only queue) to 1000. */
function parseConcurrency(text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > 1000) throw new SealError(`--worker-concurrency must be a whole number from 0 to 1000, got ${JSON.stringify(text)}`);
  return value;
}

/** The config when one is named or present (for server-side smoke runs); null when there is none. */
function loadServerConfig(flags: ServeFlags, io: CliIo): SealConfig | null {
  const path = findConfigPath(flags.config, io.env, io.cwd);
  if (!flags.config && !io.env.SEAL_CONFIG && !existsSync(path)) return null;
  return loadConfig(path, io.env);
}

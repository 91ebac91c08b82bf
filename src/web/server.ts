/**
 * `seal serve`: the board and API on a port. Opens the store once, serves until stopped, and
 * shuts down gracefully: new connections refused, live streams ended, the running smoke job
 * stopped, in-flight requests given a moment, then the store closed.
 */
import { msFromEnv } from '../store/location.js';
import { AuditLog } from '../store/audit.js';
import { AUDIT_VERIFY_EVERY_MS, watchAudit } from './audit-watch.js';
import { PAGE_CACHE_MS } from './page-cache.js';
import type { AddressInfo } from 'node:net';
import { waitAtMost } from '../time-limit.js';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { DEFAULTS, type SealConfig } from '../config/types.js';
import { SealError, errorMessage } from '../errors.js';
import { listenForBoard, type BoardListener } from './pg-listen.js';
import { openDb, type StoreLocation } from '../store/db.js';
import { enqueueSeal } from '../queue/enqueue.js';
import { createJobRunner, logJobError, type JobRunner } from '../queue/execute.js';
import { createMemoryQueue } from '../queue/memory.js';
import { openPgQueue, queuePoolSize, type PgQueueOptions } from '../queue/pg-boss.js';
import type { SealQueue } from '../queue/types.js';
import { DeliveryStore } from '../store/deliveries.js';
import { EvidenceStore } from '../store/evidence.js';
import { IncidentStore } from '../store/incidents.js';
import { Ledger } from '../store/ledger.js';
import { TokenStore } from '../store/tokens.js';
import { createApp } from './app.js';
import { DEFAULT_MAX_STREAMS, type ServerJobs } from './deps.js';
import type { ReadAccess } from './auth.js';
import { createSealEvents } from './events.js';

/** How `seal serve` was asked to run. */
export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** Let anyone who reaches a non-loopback server read the board. */
  readonly public: boolean;
  /** Require a token to read even on loopback (behind a reverse proxy on the same machine). */
  readonly private?: boolean;
  readonly store: StoreLocation;
  /** The config, for smoke runs the server does itself; null: it only records what it is sent. */
  readonly config: SealConfig | null;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Where the server's own runs keep their evidence. */
  readonly evidenceRoot: string;
  /** How long in-flight requests get on shutdown. */
  readonly graceMs?: number;
  /**
   * Smoke runs this server runs at once itself (default 1). 0, on Postgres: it only queues them,
   * and `seal worker` processes run them.
   */
  readonly workerConcurrency?: number;
  /** The durable queue's settings on Postgres (poll, maintenance, limits); defaults otherwise. */
  readonly queue?: Omit<PgQueueOptions, 'databaseUrl'>;
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly readAccess: ReadAccess;
  close(): Promise<void>;
}

/** Whether `host` is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  // Checked before anything is opened: a refusal leaves nothing behind.
  const workerConcurrency = options.workerConcurrency ?? 1;
  if (!Number.isSafeInteger(workerConcurrency) || workerConcurrency < 0) throw new SealError(`the server's worker concurrency must be a whole number from 0, got ${workerConcurrency}`);
  if (workerConcurrency === 0 && !options.store.databaseUrl) throw new SealError('--worker-concurrency 0 leaves smoke runs to `seal worker` processes, which need Postgres (DATABASE_URL); on the embedded store the server runs them itself');
  // On the embedded store, shared: held while used, let go of whenever a CLI command waits for it.
  const store = await openDb({ ...options.store, poolMax: options.store.poolMax ?? 16, shared: true });
  const ledger = new Ledger(store.db);
  const tokens = new TokenStore(store.db);
  const evidence = new EvidenceStore(store.db);
  const deliveries = new DeliveryStore(store.db);
  const incidents = new IncidentStore(store.db);
  let publicUrl: string | null = null;
  // On Postgres, every server on the database hears every change from Postgres itself (LISTEN/NOTIFY); on the embedded store a poll notices other processes' writes.
  let listener: BoardListener | null = null;
  const events = createSealEvents({
    ...(options.store.databaseUrl ? {} : { changeMark: () => ledger.changeMark() }),
    notified: () => listener?.connected() ?? false,
    onError: (error) => logger.warn({ err: error }, 'live updates: the store did not answer'),
  });
  if (options.store.databaseUrl) {
    try {
      listener = await listenForBoard({ databaseUrl: options.store.databaseUrl, onEvent: (event) => events.deliver(event), onError: (error) => logger.warn({ err: error }, 'live updates: the LISTEN connection to Postgres was lost; reconnecting') });
    } catch (error) {
      events.close();
      await store.close();
      throw new SealError(`cannot listen for live updates on Postgres: ${errorMessage(error)}`, { cause: error });
    }
  }
  const readAccess: ReadAccess = options.private ? 'token' : isLoopback(options.host) || options.public ? 'open' : 'token';
  const config = options.config;

  // Evidence files are checked only in the server's own evidence folder (what reporters name is theirs, not ours to read).
  const audit = watchAudit(new AuditLog(store.db), { everyMs: positiveFromEnv(options.env, 'SEAL_AUDIT_VERIFY_EVERY_MS') ?? AUDIT_VERIFY_EVERY_MS, logger, evidenceRoots: [options.evidenceRoot] });
  // On Postgres the queue is pg-boss's, shared by every server and worker on the database; on the embedded store it lives in this process.
  let queue: SealQueue | null = null;
  let runner: JobRunner | null = null;
  try {
    queue = config ? (options.store.databaseUrl ? await openPgQueue({ poolMax: queuePoolSize(workerConcurrency + 1), ...options.queue, databaseUrl: options.store.databaseUrl, onError: (error) => logger.warn({ err: error }, 'job queue: Postgres did not answer') }) : createMemoryQueue()) : null;
    runner = config && queue ? createJobRunner({ config, ledger, evidence, deliveries, logger, env: options.env, evidenceRoot: options.evidenceRoot, boardBase: () => publicUrl, onRecorded: (event) => events.publish({ type: 'seal', ...event }), interrupted: options.store.databaseUrl ? 'retry' : 'record', queue }) : null;
    // With --worker-concurrency 0 on Postgres the server still finishes located seals (quick jobs); runs are left to seal workers.
    if (queue && runner) await queue.work({ location: null, concurrency: workerConcurrency, execute: runner.execute, onError: logJobError(logger) });
  } catch (error) {
    events.close();
    await listener?.close();
    await queue?.close();
    await audit.close();
    await store.close();
    throw error;
  }
  const jobs: ServerJobs | null =
    queue && config
      ? {
          enqueue: (job) => {
            const app = config.apps[job.app];
            return app ? enqueueSeal(queue, app, job) : queue.enqueue(job, { deadlineMs: DEFAULTS.deadline_ms });
          },
          status: (runId) => queue.status(runId),
        }
      : null;
  const app = createApp({
    ledger,
    tokens,
    evidence,
    deliveries,
    incidents,
    events,
    readAccess,
    maxStreams: {
      perClient: positiveFromEnv(options.env, 'SEAL_MAX_STREAMS_PER_CLIENT') ?? DEFAULT_MAX_STREAMS.perClient,
      total: positiveFromEnv(options.env, 'SEAL_MAX_STREAMS') ?? DEFAULT_MAX_STREAMS.total,
    },
    jobs,
    configuredApps: config ? Object.keys(config.apps) : [],
    logger,
    // Reporters are answered first; their seal is told in the background.
    notify: runner ? (result, current) => void runner.tell(result, current) : null,
    sealed: runner ? (name, version, by) => void runner.sealed(name, version, by) : null,
    boardBase: (name) => config?.apps[name]?.boardUrl ?? publicUrl,
    rollbackTemplate: (name) => config?.apps[name]?.rollback ?? null,
    ...(config ? { tiers: config.tiers } : {}),
    expectTiers: (name) => config?.apps[name]?.expectTiers ?? [],
    audit,
    pageCacheMs: msFromEnv(options.env, 'SEAL_PAGE_CACHE_MS', { zero: true }) ?? PAGE_CACHE_MS,
  });

  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    events.close();
    await listener?.close();
    await queue?.close();
    await audit.close();
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new SealError(`port ${options.port} on ${options.host} is already in use: pick another with --port`, { cause: error });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new SealError(`cannot listen on ${options.host}: no such address on this machine (--host)`, { cause: error });
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  // Links in notifications point here unless the app names its board_url; not at 0.0.0.0.
  publicUrl = address.address === '0.0.0.0' || address.address === '::' ? null : url;
  if (readAccess === 'token' && !(await tokens.any())) {
    logger.warn('reading this board needs a token and none exists: create one with `seal token create --name NAME --scope read` (or start with --public)');
  }
  logger.info({ url, read_access: readAccess, smoke_runs: !queue ? 'disabled (no config)' : `${queue.kind === 'postgres' ? 'queued on Postgres (pg-boss)' : 'queued in this process'}; ${workerConcurrency === 0 ? 'run by seal worker processes' : `${workerConcurrency} at a time here`}` }, 'seal server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    readAccess,
    close() {
      closing ??= (async () => {
        logger.info('shutting down');
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        events.close();
        // Keep-alive connections close as soon as they are idle (a live stream that just ended
        // leaves one behind); busy ones get the grace period.
        const graceMs = options.graceMs ?? 5000;
        const idle = setInterval(() => 'closeIdleConnections' in server && server.closeIdleConnections(), 50);
        if ('closeIdleConnections' in server) server.closeIdleConnections();
        const grace = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), graceMs);
        // Running smoke jobs are stopped: on the embedded store their error verdict is recorded,
        // on Postgres they go back on the queue for another worker. One slow to stop does not
        // hold the shutdown for more than the grace period.
        // On Postgres they get half the grace to finish first (then go back whole, no retry used).
        await waitAtMost(Promise.resolve(queue?.close({ graceMs: queue.kind === 'postgres' ? Math.floor(graceMs / 2) : 0 })), graceMs);
        await stopped;
        clearInterval(idle);
        clearTimeout(grace);
        await listener?.close();
        await audit.close();
        await store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/** A whole number above 0 from the environment; undefined when unset; a clear error when it is anything else. */
function positiveFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new SealError(`${name} must be a whole number above 0, got ${JSON.stringify(env[name])}`);
  return value;
}

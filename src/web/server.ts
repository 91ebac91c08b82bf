/**
 * `seal serve`: the board and API on a port. Opens the store once, serves until stopped, and
 * shuts down gracefully: new connections refused, live streams ended, the running smoke job
 * stopped, in-flight requests given a moment, then the store closed.
 */
import { msFromEnv } from '../store/location.js';
import { AuditLog, localActor, withActor } from '../store/audit.js';
import { AUDIT_VERIFY_EVERY_MS, watchAudit } from './audit-watch.js';
import { PAGE_CACHE_MS } from './page-cache.js';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import type { SealConfig } from '../config/types.js';
import { SealError } from '../errors.js';
import { createRedactor } from '../redact/redact.js';
import { withWarning, type RunResult } from '../runner/run-result.js';
import { runSuite } from '../runner/run-suite.js';
import { keepEvidence } from '../seal/evidence-files.js';
import { recordOnLedger } from '../seal/record.js';
import { openDb, type StoreLocation } from '../store/db.js';
import { deliverSeal } from '../notify/deliver.js';
import { DeliveryStore } from '../store/deliveries.js';
import { EvidenceStore } from '../store/evidence.js';
import { IncidentStore } from '../store/incidents.js';
import { Ledger } from '../store/ledger.js';
import { TokenStore } from '../store/tokens.js';
import { createApp } from './app.js';
import { DEFAULT_MAX_STREAMS } from './deps.js';
import type { ReadAccess } from './auth.js';
import { createSealEvents } from './events.js';
import { createSmokeJobs, type SmokeJob } from './smoke-jobs.js';

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
  // On the embedded store, shared: held while used, let go of whenever a CLI command waits for it.
  const store = await openDb({ ...options.store, poolMax: options.store.poolMax ?? 16, shared: true });
  const ledger = new Ledger(store.db);
  const tokens = new TokenStore(store.db);
  const evidence = new EvidenceStore(store.db);
  const deliveries = new DeliveryStore(store.db);
  const incidents = new IncidentStore(store.db);
  let publicUrl: string | null = null;
  const events = createSealEvents({ changeMark: () => ledger.changeMark(), onError: (error) => logger.warn({ err: error }, 'live updates: the store did not answer') });
  const readAccess: ReadAccess = options.private ? 'token' : isLoopback(options.host) || options.public ? 'open' : 'token';
  const config = options.config;
  // Built once: the config's secrets do not change while the server runs.
  const redactor = createRedactor(config?.secrets ?? []);
  const redact = (text: string): string => redactor.text(text);

  /** Tells the app's notifiers (the server's config says which); logs, never throws. */
  async function tell(result: RunResult, current: boolean): Promise<RunResult> {
    const app = config?.apps[result.app];
    if (!config || !app) return result;
    try {
      const version = result.release?.version ?? null;
      const releaseId = version ? await ledger.releaseIdOf(result.app, version) : null;
      const report = await deliverSeal({ app, notifiers: config.notifiers, result, releaseId, boardBase: app.boardUrl ?? publicUrl, store: deliveries, current, redact });
      for (const { target, outcome } of report.outcomes) logger.info({ app: result.app, version, run_id: result.run_id, target, status: outcome.status, detail: outcome.detail }, 'delivery');
      // Details and warnings come redacted from deliverSeal.
      return report.warnings.reduce((final, warning) => withWarning(final, warning), result);
    } catch (error) {
      logger.error({ err: error, run_id: result.run_id }, 'deliveries failed');
      return result;
    }
  }

  async function executeJob(job: SmokeJob, signal: AbortSignal): Promise<void> {
    const app = config?.apps[job.app];
    if (!config || !app) throw new SealError(`app ${job.app} is no longer in the server's config`);
    const known = await ledger.getRelease(job.app, job.version);
    const release = { version: job.version, sha: known?.sha ?? null, merge_sha: known?.merge_sha ?? null, previous_version: known?.previous_version ?? null };
    logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run started');
    const result = await runSuite({ app, release, secrets: config.secrets }, { env: options.env, evidenceRoot: options.evidenceRoot, signal, runId: job.run_id });
    // The job runs after the request that queued it has been answered: its changes are named after the token that asked, explicitly.
    const outcome = await recordOnLedger(ledger, result, { rollbackTemplate: app.rollback, flags: { release: job.version }, env: {}, redact, where: 'the seal server', boardBase: app.boardUrl ?? publicUrl, tiers: { vocabulary: config.tiers, expected: app.expectTiers }, ...(job.requested_by ? { creditedBy: job.requested_by } : {}) });
    const kept = outcome.recorded ? await keepEvidence(evidence, outcome.result) : withWarning(outcome.result, 'not recorded');
    const final = outcome.recorded ? await tell(kept, outcome.recorded.current) : kept;
    events.publish({ type: 'seal', app: job.app, version: job.version, status: outcome.recorded?.current ? final.verdict : null });
    logger.info({ app: job.app, version: job.version, run_id: job.run_id, verdict: final.verdict, summary: final.summary, warnings: final.warnings }, 'smoke run finished');
  }

  // Evidence files are checked only in the server's own evidence folder (what reporters name is theirs, not ours to read).
  const audit = watchAudit(new AuditLog(store.db), { everyMs: positiveFromEnv(options.env, 'SEAL_AUDIT_VERIFY_EVERY_MS') ?? AUDIT_VERIFY_EVERY_MS, logger, evidenceRoots: [options.evidenceRoot] });
  const jobs = config ? createSmokeJobs({
    // Each job in the context of who asked for it, never of the request that happened to start the queue.
    execute: (job, signal) => withActor(job.requested_by ?? localActor(), () => executeJob(job, signal)), onError: (error, job) => logger.error({ err: error, run_id: job.run_id, app: job.app }, 'smoke run failed') }) : null;
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
    notify: config ? (result, current) => void tell(result, current) : null,
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
    await jobs?.close();
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
  logger.info({ url, read_access: readAccess, smoke_runs: jobs ? 'enabled' : 'disabled (no config)' }, 'seal server listening');

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
        // The running smoke job is stopped (its error verdict recorded); one slow to stop does
        // not hold the shutdown for more than the grace period.
        const patience = new AbortController();
        await Promise.race([jobs?.close(), sleep(graceMs, undefined, { signal: patience.signal }).catch(() => undefined)]);
        patience.abort();
        await stopped;
        clearInterval(idle);
        clearTimeout(grace);
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

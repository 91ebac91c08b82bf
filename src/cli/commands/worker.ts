/**
 * `seal worker`: takes seal jobs from the durable queue on Postgres (pg-boss) and runs them with
 * the same runner and recording as `seal smoke`, until Ctrl-C or SIGTERM. Any number of workers on
 * any machines share the queue; one with `--location` takes its location's jobs and jobs for any
 * location. Structured logs (pino, JSON) on stdout; one human line on stderr.
 */
import { pino } from 'pino';
import { findConfigPath, loadConfig } from '../../config/load.js';
import { SealError, errorMessage } from '../../errors.js';
import { createJobRunner, logJobError } from '../../queue/execute.js';
import { openPgQueue, queueOptionsFromEnv, queuePoolSize } from '../../queue/pg-boss.js';
import { checkLocation, type SealQueue } from '../../queue/types.js';
import { defaultEvidenceRoot } from '../../runner/run-suite.js';
import { openDb, storeLocation, type OpenDb } from '../../store/db.js';
import { DeliveryStore } from '../../store/deliveries.js';
import { EvidenceStore } from '../../store/evidence.js';
import { Ledger } from '../../store/ledger.js';
import type { CliIo } from '../io.js';
import { boardBase } from './attest.js';

/** Flags of `seal worker`. */
export interface WorkerFlags {
  readonly location?: string;
  readonly concurrency?: string;
  readonly config?: string;
  readonly board?: string;
}

/** How long running jobs get to finish on Ctrl-C before they go back on the queue, by default. */
export const WORKER_GRACE_MS = 30_000;

/** Runs the worker until a signal; returns the exit code. */
export async function workerCommand(flags: WorkerFlags, io: CliIo): Promise<number> {
  let destination: ReturnType<typeof pino.destination> | undefined;
  let store: OpenDb | null = null;
  let queue: SealQueue | null = null;
  let graceMs = WORKER_GRACE_MS;
  try {
    const location = flags.location === undefined ? null : checkLocation(flags.location.trim(), '--location');
    const concurrency = wholeAbove0(flags.concurrency ?? '1', '--concurrency');
    const where = storeLocation(io.env, io.cwd);
    if (!where.databaseUrl) throw new SealError('seal worker takes jobs from the queue on Postgres: set DATABASE_URL to the database the seal server uses (on the embedded store the server runs its smoke runs itself)');
    const config = loadConfig(findConfigPath(flags.config, io.env, io.cwd), io.env);
    const board = boardBase(flags.board ?? io.env.SEAL_BOARD_URL);
    const queueOptions = queueOptionsFromEnv(io.env);
    const grace = io.env.SEAL_WORKER_GRACE_MS?.trim();
    if (grace) graceMs = wholeAbove0(grace, 'SEAL_WORKER_GRACE_MS', 0, 3_600_000);
    destination = pino.destination({ fd: 1, sync: false });
    const logger = pino({ level: io.env.SEAL_LOG_LEVEL ?? 'info', base: { service: 'seal-worker', location, pid: process.pid } }, destination);
    store = await openDb({ ...where, poolMax: concurrency + 2 });
    const ledger = new Ledger(store.db);
    queue = await openPgQueue({ ...queueOptions, databaseUrl: where.databaseUrl, poolMax: queuePoolSize(concurrency), onError: (error) => logger.warn({ err: error }, 'job queue: Postgres did not answer') });
    const runner = createJobRunner({ config, ledger, evidence: new EvidenceStore(store.db), deliveries: new DeliveryStore(store.db), logger, env: io.env, evidenceRoot: defaultEvidenceRoot(io.env, io.cwd), boardBase: () => board, interrupted: 'retry', location, queue });
    await queue.work({ location, concurrency, execute: runner.execute, onError: logJobError(logger) });
    logger.info({ concurrency, apps: Object.keys(config.apps) }, 'seal worker taking jobs');
    io.stderr.write(`seal worker: taking seal jobs ${location ? `for location ${location} and for any location` : 'for any location'}, ${concurrency} at a time, from Postgres (DATABASE_URL); apps ${Object.keys(config.apps).join(', ')}. Ctrl-C stops it (running jobs get ${Math.round(graceMs / 1000)} s, then go back on the queue).\n`);
  } catch (error) {
    await queue?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    io.stderr.write(`seal worker: ${errorMessage(error)}\n`);
    return 2;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  io.stderr.write(`seal worker: stopping; running jobs get ${Math.round(graceMs / 1000)} s to finish\n`);
  await queue.close({ graceMs });
  await store.close().catch(() => undefined);
  try {
    destination.flushSync();
  } catch {
    // A log that cannot be flushed (stdout closed) must not change how the worker ends.
  }
  return 0;
}

function wholeAbove0(text: string, what: string, min = 1, max = 1000): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) throw new SealError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

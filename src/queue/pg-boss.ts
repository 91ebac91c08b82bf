/**
 * The durable queue: pg-boss on the Postgres the store already uses (`DATABASE_URL`). Jobs are
 * rows in pg-boss's own schema (`pgboss`), so they survive restarts and any number of servers and
 * `seal worker` processes on any machines share them. pg-boss 10.x, the last line that runs on
 * Node 20 (docs/decisions.md).
 *
 * One pg-boss queue per location (`seal.<location>`) plus `seal` for jobs any worker may take.
 * Workers take jobs with pg-boss's `fetch` (SELECT … FOR UPDATE SKIP LOCKED) in a loop of their
 * own, so that one `--concurrency` counts the jobs of both queues a located worker takes.
 *
 * A worker that dies mid-job leaves the job active until its expiry (the app's run deadline plus
 * a margin); pg-boss's maintenance then fails it and it is retried, under the same id, by another
 * worker. The run id is the job's id and the ledger records a run id once, so even a worker that
 * was only slow (and finishes after the retry started) cannot record the seal twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import { SealError, errorMessage } from '../errors.js';
import { msFromEnv } from '../store/location.js';
import { waitAtMost } from '../time-limit.js';
import { QueueFullError, checkLocation, type SealJob, type SealJobState, type SealJobStatus, type SealQueue, type WorkOptions } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How the durable queue behaves; every field has a default, and the environment can set them (`queueOptionsFromEnv`). */
export interface PgQueueOptions {
  readonly databaseUrl: string;
  /** How often an idle worker asks for a job (ms). */
  readonly pollMs?: number;
  /** How often pg-boss looks for expired jobs, across all processes on the database (s, at least 1). */
  readonly maintenanceSeconds?: number;
  /** Most jobs waiting in one queue before `enqueue` refuses (429). */
  readonly maxQueued?: number;
  /** What recording and telling may take after a run's deadline, before a running job is taken to be dead (s). */
  readonly recordMarginSeconds?: number;
  /** Times a job whose run ended without a seal (its worker died, the store failed) is tried again. */
  readonly retryLimit?: number;
  /** The longest any one statement may take (ms). */
  readonly statementTimeoutMs?: number;
  /** Connections at most. */
  readonly poolMax?: number;
  /** pg-boss's own errors (a lost connection): logged, never thrown. */
  readonly onError?: (error: unknown) => void;
  /**
   * How often an idle worker makes sure Postgres answers (ms): pg-boss's `fetch` swallows every
   * error, so a worker whose database is gone would otherwise wait for jobs in silence.
   */
  readonly healthEveryMs?: number;
}

export const PG_QUEUE_DEFAULTS = { pollMs: 1000, maintenanceSeconds: 30, maxQueued: 1000, retryLimit: 2, statementTimeoutMs: 30_000, recordMarginSeconds: 60 } as const;

/** The queue's settings from the environment (SEAL_QUEUE_POLL_MS, SEAL_QUEUE_MAINTENANCE_S, SEAL_QUEUE_MAX, SEAL_QUEUE_RETRIES, SEAL_JOB_MARGIN_S); unset ones keep their defaults. */
export function queueOptionsFromEnv(env: NodeJS.ProcessEnv): Omit<PgQueueOptions, 'databaseUrl'> {
  const whole = (name: string, min: number): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) throw new SealError(`${name} must be a whole number from ${min}, got ${JSON.stringify(env[name])}`);
    return value;
  };
  const statement = msFromEnv(env, 'SEAL_STORE_TIMEOUT_MS');
  const options = {
    pollMs: whole('SEAL_QUEUE_POLL_MS', 50),
    maintenanceSeconds: whole('SEAL_QUEUE_MAINTENANCE_S', 1),
    maxQueued: whole('SEAL_QUEUE_MAX', 1),
    retryLimit: whole('SEAL_QUEUE_RETRIES', 0),
    recordMarginSeconds: whole('SEAL_JOB_MARGIN_S', 1),
    statementTimeoutMs: statement,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** The queue any worker takes from, and a location's queue. */
export function queueName(location: string | null | undefined): string {
  return location ? `seal.${checkLocation(location, 'location')}` : 'seal';
}

/** Where a located seal's finish jobs wait (not `seal.<name>`: no location can be called this). */
export const FINISH_QUEUE = 'seal-finish';
/** Times a finish job waits again for a location's run that is still running. */
export const FINISH_RETRIES = 3;
/** How long closing waits for stopped jobs to end before pg-boss is stopped regardless (ms). */
export const SLOTS_STOP_MS = 10_000;
/** Connections of the queue's pool for a process running `concurrency` jobs: every slot asks for jobs, and each job completes or fails its own. */
export function queuePoolSize(concurrency: number): number {
  return Math.min(3 + Math.ceil(concurrency / 4), 20);
}
/** The longest a job may run before it is taken to be dead: under pg-boss's limit of 24 hours. */
export const MAX_EXPIRY_S = 23 * 3600;

const STATES: Record<string, SealJobState | null> = { created: 'queued', retry: 'retrying', active: 'running', completed: null, cancelled: 'cancelled', failed: 'failed' };

/** Opens the durable queue: creates pg-boss's schema on first use (needs the CREATE privilege). */
export async function openPgQueue(options: PgQueueOptions): Promise<SealQueue> {
  const { default: PgBossClass } = await import('pg-boss');
  const pollMs = options.pollMs ?? PG_QUEUE_DEFAULTS.pollMs;
  const maxQueued = options.maxQueued ?? PG_QUEUE_DEFAULTS.maxQueued;
  const retryLimit = options.retryLimit ?? PG_QUEUE_DEFAULTS.retryLimit;
  const marginSeconds = options.recordMarginSeconds ?? PG_QUEUE_DEFAULTS.recordMarginSeconds;
  const bound = Math.max(1, Math.round(options.statementTimeoutMs ?? PG_QUEUE_DEFAULTS.statementTimeoutMs));
  const onError = options.onError ?? (() => undefined);
  const boss = new PgBossClass({
    connectionString: options.databaseUrl,
    application_name: 'seal-queue',
    max: options.poolMax ?? 4,
    // Scheduled jobs are plain jobs with a start time here; pg-boss's cron is not used.
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? PG_QUEUE_DEFAULTS.maintenanceSeconds,
    // Given to node-postgres's pool: nothing pg-boss asks of Postgres waits without a bound.
    ...({ connectionTimeoutMillis: Math.min(5_000, bound), statement_timeout: bound, lock_timeout: Math.max(1, Math.floor(bound * 0.8)), query_timeout: bound + 2_000 } as object),
  });
  boss.on('error', onError);
  try {
    await boss.start();
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    throw new Error(`cannot open the job queue on Postgres (pg-boss): ${errorMessage(error)}`, { cause: error });
  }
  const db = boss.getDb();
  const made = new Map<string, Promise<void>>();
  const ensureQueue = (name: string): Promise<void> => {
    let making = made.get(name);
    if (!making) {
      making = boss.createQueue(name, { name, policy: 'standard', retryLimit, retryDelay: 0 });
      making.catch(() => made.delete(name));
      made.set(name, making);
    }
    return making;
  };

  const running = new Map<string, { name: string; stop: AbortController; done: Promise<void> }>();
  let slots: Promise<void>[] = [];
  let stopping: AbortController | null = null;
  // Closing: clients are refused; stopped: nothing is taken any more (pg-boss is stopping).
  let closed = false;
  let stopped = false;
  const healthEveryMs = options.healthEveryMs ?? 30_000;
  let healthAt = Date.now();
  let healthy = true;

  /** While idle, now and then: does Postgres answer? Said once per outage. */
  async function checkHealth(): Promise<void> {
    if (Date.now() - healthAt < healthEveryMs) return;
    healthAt = Date.now();
    try {
      await db.executeSql('SELECT 1', []);
      healthy = true;
    } catch (error) {
      if (healthy) onError(new Error(`the job queue cannot reach Postgres, so no job can be taken (asked again every ${healthEveryMs / 1000} s): ${errorMessage(error)}`, { cause: error }));
      healthy = false;
    }
  }

  /**
   * A job stopped by this process's shutdown goes back as it was before it was taken, without
   * using up one of its retries: a restart is not the job's fault, and rolling deploys of workers
   * would otherwise use them all up and lose the seal. Only the attempt this process took.
   */
  async function giveBack(name: string, id: string, retryCount: number): Promise<void> {
    await db.executeSql(
      `UPDATE pgboss.job SET state = CASE WHEN retry_count > 0 THEN 'retry'::pgboss.job_state ELSE 'created'::pgboss.job_state END, started_on = NULL
       WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
      [name, id, retryCount],
    );
  }

  /** Fails this process's attempt of a job (pg-boss retries it or gives it up), not a later attempt another worker took after this one expired. */
  async function failAttempt(name: string, id: string, retryCount: number, message: string): Promise<void> {
    const { rows } = await db.executeSql(`SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`, [name, id, retryCount]);
    if (rows.length > 0) await boss.fail(name, id, { message });
  }

  async function runSlot({ execute, onError: onJobError = () => undefined }: WorkOptions, names: readonly string[], stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      let taken: { name: string; job: PgBoss.JobWithMetadata<SealJob> } | null = null;
      for (const name of names) {
        const [job] = await boss.fetch<SealJob>(name, { batchSize: 1, includeMetadata: true });
        if (job) {
          taken = { name, job };
          break;
        }
      }
      if (!taken) {
        await checkHealth();
        await sleep(pollMs, undefined, { signal: stop }).catch(() => undefined);
        continue;
      }
      const { name, job } = taken;
      const jobStop = new AbortController();
      const data: SealJob = { ...job.data, run_id: job.id };
      const done = (async () => {
        try {
          await execute(data, jobStop.signal, { retries: job.retryCount, last: job.retryCount >= job.retryLimit });
          await boss.complete(name, job.id);
        } catch (error) {
          onJobError(error, data);
          // Stopped by our shutdown: given back whole. Failed: pg-boss retries it (retryLimit) or
          // gives it up; the reason is kept on the job.
          if (jobStop.signal.aborted) await giveBack(name, job.id, job.retryCount).catch(onError);
          else await failAttempt(name, job.id, job.retryCount, errorMessage(error).slice(0, 2000)).catch(onError);
        }
      })();
      running.set(job.id, { name, stop: jobStop, done });
      // Taken while the queue was closing (the fetch was under way): given back at once, not run to its end.
      if (stop.aborted) jobStop.abort();
      try {
        await done;
      } finally {
        running.delete(job.id);
      }
    }
  }

  const queue: SealQueue = {
    kind: 'postgres',
    async enqueue(job, { deadlineMs, startAfterSeconds = 0, internal = false }) {
      if (stopped || (closed && !internal)) throw new QueueFullError('the server is shutting down');
      const finish = job.kind === 'finish';
      const name = finish ? FINISH_QUEUE : queueName(job.location);
      await ensureQueue(name);
      if (!finish) {
        const waiting = (await boss.getQueueSize(name)) ?? 0;
        if (waiting >= maxQueued) throw new QueueFullError(`${maxQueued} smoke runs are already queued for ${job.location ? `location ${job.location}` : 'any location'}; try again when they have finished`);
      }
      // pg-boss refuses an expiry of 24 hours or more: a longer deadline_ms is capped (docs/scaling.md).
      const runExpiry = Math.min(Math.ceil(deadlineMs / 1000) + marginSeconds, MAX_EXPIRY_S);
      const when = startAfterSeconds > 0 ? { startAfter: Math.ceil(startAfterSeconds) } : {};
      // A finish job is quick; when a location's run is still running it waits one run's expiry and looks again.
      const options = finish ? { expireInSeconds: 120, retryLimit: FINISH_RETRIES, retryDelay: runExpiry } : { expireInSeconds: runExpiry, retryLimit, retryDelay: 0 };
      const id = await boss.send(name, job as unknown as object, { id: job.run_id, ...options, ...when });
      if (id === null) throw new Error(`run ${job.run_id} is already queued`);
      return (await queue.status(job.run_id)) ?? { ...job, status: 'queued', ahead: 0 };
    },
    async status(runId) {
      if (!UUID.test(runId)) return null;
      type Row = { name: string; state: string; retry_count: number; output: { message?: unknown } | null; data: SealJob; ahead: string | number; due_at: string | null };
      const { rows } = await db.executeSql(
        `SELECT j.name, j.state, j.retry_count, j.output, j.data, CASE WHEN j.start_after > now() THEN to_char(j.start_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS due_at,
           CASE WHEN j.state = 'active' THEN 0 ELSE (SELECT count(*) FROM pgboss.job o WHERE o.name = j.name AND o.state < 'active' AND o.start_after <= now() AND (o.created_on, o.id) < (j.created_on, j.id)) + (SELECT count(*) FROM pgboss.job a WHERE a.name = j.name AND a.state = 'active') END AS ahead
         FROM pgboss.job j WHERE j.id = $1 ORDER BY j.created_on DESC LIMIT 1`,
        [runId],
      );
      const row = rows[0] as Row | undefined;
      if (!row) return null;
      const status = STATES[row.state];
      if (!status) return null;
      const error = typeof row.output?.message === 'string' ? row.output.message : null;
      const own: SealJobStatus = { ...row.data, run_id: runId, status, ahead: Number(row.ahead), retries: row.retry_count, ...(status === 'queued' || status === 'running' ? {} : { error }), ...(row.due_at ? { due_at: row.due_at } : {}) };
      if (row.name !== FINISH_QUEUE || !row.data.set) return own;
      // A located seal: where each location's run is; running while any is.
      const parts = await Promise.all(row.data.set.runs.map(async (part) => ({ location: part.location, run_id: part.run_id, status: (await queue.status(part.run_id))?.status ?? ('finished' as const) })));
      const states = parts.map((p) => p.status);
      const combined: SealJobState = states.includes('running') ? 'running' : states.every((s) => s === 'queued') ? 'queued' : status === 'queued' ? 'running' : status;
      return { ...own, kind: undefined, status: combined, ahead: 0, locations: parts };
    },
    // One UPDATE each, never "look, then cancel": a job a worker takes between the two would be
    // marked cancelled while it runs, and then recorded all the same.
    async cancel(runId) {
      if (!UUID.test(runId)) return false;
      const { rows } = await db.executeSql(`UPDATE pgboss.job SET completed_on = now(), state = 'cancelled' WHERE id = $1 AND state < 'active' RETURNING 1`, [runId]);
      return rows.length > 0;
    },
    async cancelSoaks(app, except = []) {
      const { rows } = await db.executeSql(
        `UPDATE pgboss.job SET completed_on = now(), state = 'cancelled'
         WHERE name LIKE 'seal%' AND state < 'active' AND data->>'app' = $1 AND data->>'soak' IS NOT NULL
           AND NOT (id::text = ANY($2::text[]) OR coalesce(data->'set'->>'run_id', '') = ANY($2::text[])) RETURNING 1`,
        [app, except.filter((id) => UUID.test(id)).map((id) => id.toLowerCase())],
      );
      return rows.length;
    },
    async work(options) {
      if (stopping) throw new Error('this queue is already being worked');
      if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 0) throw new RangeError(`concurrency must be a whole number from 0, got ${options.concurrency}`);
      if (options.location) await ensureQueue(queueName(options.location));
      await ensureQueue(queueName(null));
      await ensureQueue(FINISH_QUEUE);
      stopping = new AbortController();
      const signal = stopping.signal;
      const runs = options.location ? [queueName(options.location), queueName(null)] : [queueName(null)];
      // `concurrency` slots for runs, and one for finishing located seals (quick, and never behind a long suite).
      slots = [...Array.from({ length: options.concurrency }, () => runs), [FINISH_QUEUE]].map((names) =>
        (async () => {
          // A slot whose loop failed (the database went away) starts again after a pause, until the queue closes.
          while (!signal.aborted) {
            try {
              await runSlot(options, names, signal);
            } catch (error) {
              onError(error);
              await sleep(Math.max(pollMs, 1000), undefined, { signal }).catch(() => undefined);
            }
          }
        })(),
      );
    },
    async close({ graceMs = 0 } = {}) {
      closed = true;
      stopping?.abort();
      const all = [...running.values()];
      if (graceMs > 0 && all.length > 0) await waitAtMost(Promise.all(all.map((r) => r.done)), graceMs);
      // Jobs still running are stopped; their slots give them back whole (no retry used).
      for (const r of running.values()) r.stop.abort();
      // A job that ignores its stop does not hold the shutdown: after SLOTS_STOP_MS pg-boss stops
      // anyway; that job's attempt stays active until its expiry, and is then retried elsewhere.
      await waitAtMost(Promise.all(slots), SLOTS_STOP_MS);
      stopped = true;
      await boss.stop({ graceful: false, wait: true, close: true }).catch(onError);
    },
  };
  return queue;
}

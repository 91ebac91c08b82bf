/**
 * The seam between asking for a seal and running it. A server (or anything else) puts a job on a
 * queue; whoever works the queue runs the suite with the same runner and records the result
 * through the store. Two queues keep this interface: an in-process one for the embedded store
 * (memory.ts) and pg-boss on Postgres (pg-boss.ts), where any number of `seal worker` processes
 * on any machines take the jobs.
 */

/** A seal run somebody asked for. The run id is the job's id: a job retried after its worker died records under the same id, so it is recorded once. */
export interface SealJob {
  readonly run_id: string;
  readonly app: string;
  readonly version: string;
  readonly requested_at: string;
  /** Who asked for it ("token <name> (<id>)"): the run's changes are theirs in the audit log. */
  readonly requested_by?: string;
  /** The location whose workers alone may take it; absent or null: any worker. */
  readonly location?: string | null;
  /**
   * 'run' (the default): run the suite. 'finish': combine a located seal's runs into the release's
   * seal, naming each location whose run did not come (runs at the set's `location_timeout`).
   */
  readonly kind?: 'run' | 'finish';
  /** The located seal this job belongs to: its own run id, and one run per location. */
  readonly set?: SealSet | null;
  /** A soak seal: the release sealed again this long after its first seal (`10m`). */
  readonly soak?: string | null;
}

/** A seal made from several locations (see locations.ts). */
export interface SealSet {
  /** The combined seal's run id (the finish job's id). */
  readonly run_id: string;
  readonly runs: readonly { readonly location: string; readonly run_id: string }[];
  /** How long each location's run may wait for a live worker of its location (s). */
  readonly timeout_s: number;
}

/** Where a job is: waiting, running, waiting to be retried, or given up on. Finished jobs are in the ledger, not here. */
export type SealJobState = 'queued' | 'running' | 'retrying' | 'failed' | 'cancelled';

/** A job's place in its queue. */
export interface SealJobStatus extends SealJob {
  readonly status: SealJobState;
  /** Jobs ahead of this one in its queue (0 when running). */
  readonly ahead: number;
  /** Times it has been started before (a retry after a worker died is attempt 2). */
  readonly retries?: number;
  /** Why the last attempt ended without a seal (failed or retrying jobs). */
  readonly error?: string | null;
  /** A located seal: where each location's run is. */
  readonly locations?: readonly { readonly location: string; readonly run_id: string; readonly status: SealJobState | 'finished' }[];
  /** When a scheduled job (a soak seal) becomes due, ISO 8601. */
  readonly due_at?: string;
}

/** Runs one job; `signal` aborts when the queue shuts down; `attempt.last`: no retry follows if this one throws. */
export type ExecuteJob = (job: SealJob, signal: AbortSignal, attempt: JobAttempt) => Promise<void>;

/** Which try of a job this is. */
export interface JobAttempt {
  /** Times it was started before. */
  readonly retries: number;
  /** True when a throw gives the job up rather than retrying it. */
  readonly last: boolean;
}

/** What enqueueing a job is told. */
export interface EnqueueOptions {
  /**
   * The app's run deadline; on the durable queue a job running longer than that plus a margin for
   * recording is taken to be dead (its worker died) and retried. A finish job is retried after it.
   */
  readonly deadlineMs: number;
  /** Not before this many seconds from now (soak seals, a located seal's finish). */
  readonly startAfterSeconds?: number;
  /**
   * Asked by this process's own work (the soak seals of a seal it just recorded), not by a client:
   * the durable queue takes it while it is closing, so a seal recorded in a worker's shutdown
   * grace still gets its soaks. A client's request is refused once the queue closes.
   */
  readonly internal?: boolean;
}

/** What `work` is asked to take. */
export interface WorkOptions {
  /** This worker's location, or null: it takes only jobs for any location. A worker of a location also takes jobs for any location. */
  readonly location: string | null;
  /** Jobs run at once (0, on the durable queue: none, only located seals finished). */
  readonly concurrency: number;
  readonly execute: ExecuteJob;
  /** Told when a job's run throws (the queue goes on). */
  readonly onError?: (error: unknown, job: SealJob) => void;
}

/** A queue of seal jobs. */
export interface SealQueue {
  /** 'memory': lives and dies with this process; 'postgres': survives restarts, shared by every server and worker on the database. */
  readonly kind: 'memory' | 'postgres';
  /** Queues a job; throws QueueFullError when too many are waiting. */
  enqueue(job: SealJob, options: EnqueueOptions): Promise<SealJobStatus>;
  /** A queued, running, retrying or given-up job, or null (unknown, or finished: then it is in the ledger). */
  status(runId: string): Promise<SealJobStatus | null>;
  /**
   * Cancels a job that has not started (queued, scheduled, or waiting to be retried), in one step:
   * false when there is none, or when a worker has taken it meanwhile (it runs to its end).
   */
  cancel(runId: string): Promise<boolean>;
  /** Cancels the app's soak seals not yet started, but those in `except` (run ids; a located seal's by its combined run id) (a newer seal of the app starts its own); returns how many. */
  cancelSoaks(app: string, except?: readonly string[]): Promise<number>;
  /** Starts taking jobs; can be called once per queue object. */
  work(options: WorkOptions): Promise<void>;
  /**
   * Stops taking jobs; running ones get `graceMs` to finish, then their signal aborts. On the
   * durable queue an aborted job is given back to be retried elsewhere; on the in-process queue
   * its error verdict is recorded (nothing else would run it).
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

/** Too many jobs are waiting (HTTP 429). */
export class QueueFullError extends RangeError {
  override readonly name = 'QueueFullError';
}

/** A location's name: what `locations:` and `--location` accept. */
export const LOCATION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A clear error for a location name that cannot be one, or the name. */
export function checkLocation(name: string, where: string): string {
  if (!LOCATION_PATTERN.test(name)) throw new RangeError(`${where}: ${JSON.stringify(name)} is not a location name (lower-case letters, digits and hyphens, at most 32, starting with a letter or digit, like eu-west)`);
  return name;
}


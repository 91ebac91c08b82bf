/**
 * Smoke runs a seal server does itself (`POST /api/releases/<app>/<version>/smoke`): one at a
 * time, since a browser suite takes the machine's memory, the rest queued in order. The seam
 * for many workers is `execute`: the queue hands it a job and does not care where it runs.
 */

/** A run the server was asked for. */
export interface SmokeJob {
  readonly run_id: string;
  readonly app: string;
  readonly version: string;
  readonly requested_at: string;
  /** Who asked for it ("token <name> (<id>)"): the run's changes are theirs in the audit log. */
  readonly requested_by?: string;
}

/** A job's place in the queue. */
export interface SmokeJobStatus extends SmokeJob {
  readonly status: 'queued' | 'running';
  /** Jobs ahead of this one (0 when running). */
  readonly ahead: number;
}

/** The queue. */
export interface SmokeJobs {
  /** Queues a run; throws RangeError when the queue is full. */
  enqueue(job: SmokeJob): SmokeJobStatus;
  /** A queued or running job, or null (finished jobs are in the ledger). */
  status(runId: string): SmokeJobStatus | null;
  /** Stops the running job and drops the queue. */
  close(): Promise<void>;
}

/** At most this many jobs wait; a CI storm gets 429s, not unbounded memory. */
export const MAX_QUEUED_JOBS = 20;

/** Creates a queue that runs one job at a time with `execute`. */
export function createSmokeJobs({ execute, onError = () => undefined }: { execute: (job: SmokeJob, signal: AbortSignal) => Promise<void>; onError?: (error: unknown, job: SmokeJob) => void }): SmokeJobs {
  const queue: SmokeJob[] = [];
  let running: { job: SmokeJob; stop: AbortController; done: Promise<void> } | null = null;
  let closed = false;

  function pump(): void {
    if (running || closed) return;
    const job = queue.shift();
    if (!job) return;
    const stop = new AbortController();
    const done = execute(job, stop.signal)
      .catch((error: unknown) => onError(error, job))
      .finally(() => {
        running = null;
        pump();
      });
    running = { job, stop, done };
  }

  return {
    enqueue(job) {
      if (closed) throw new RangeError('the server is shutting down');
      if (queue.length >= MAX_QUEUED_JOBS) throw new RangeError(`${MAX_QUEUED_JOBS} smoke runs are already queued; try again when they have finished`);
      queue.push(job);
      pump();
      return this.status(job.run_id) as SmokeJobStatus;
    },
    status(runId) {
      if (running?.job.run_id === runId) return { ...running.job, status: 'running', ahead: 0 };
      const index = queue.findIndex((job) => job.run_id === runId);
      if (index < 0) return null;
      return { ...(queue[index] as SmokeJob), status: 'queued', ahead: index + (running ? 1 : 0) };
    },
    async close() {
      closed = true;
      queue.length = 0;
      running?.stop.abort();
      await running?.done;
    },
  };
}

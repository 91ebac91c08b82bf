/**
 * The in-process queue, for a seal server on the embedded store: jobs run in this process, in the
 * order asked, at most 20 waiting (a CI storm gets 429s, not unbounded memory), and scheduled ones
 * (soak seals) wait on timers, at most 200. All are lost when the process ends; on Postgres the
 * durable queue (pg-boss.ts) takes its place.
 */
import { waitAtMost } from '../time-limit.js';
import { QueueFullError, type SealJob, type SealJobStatus, type SealQueue, type WorkOptions } from './types.js';

/** At most this many jobs wait. */
export const MAX_QUEUED_JOBS = 20;
/** At most this many scheduled jobs wait for their time. */
export const MAX_SCHEDULED_JOBS = 200;

/** Creates an in-process queue; jobs run once `work` has been called. */
export function createMemoryQueue(): SealQueue {
  const queue: SealJob[] = [];
  const scheduled = new Map<string, { job: SealJob; timer: NodeJS.Timeout; due: Date }>();
  const running = new Map<string, { job: SealJob; stop: AbortController; done: Promise<void> }>();
  let worker: WorkOptions | null = null;
  let closed = false;

  function pump(): void {
    if (!worker || closed) return;
    while (running.size < worker.concurrency) {
      const job = queue.shift();
      if (!job) return;
      const { execute, onError = () => undefined } = worker;
      const stop = new AbortController();
      const done = Promise.resolve()
        .then(() => execute(job, stop.signal, { retries: 0, last: true }))
        .catch((error: unknown) => onError(error, job))
        .finally(() => {
          running.delete(job.run_id);
          pump();
        });
      running.set(job.run_id, { job, stop, done });
    }
  }

  function statusOf(runId: string): SealJobStatus | null {
    const active = running.get(runId);
    if (active) return { ...active.job, status: 'running', ahead: 0 };
    const later = scheduled.get(runId);
    if (later) return { ...later.job, status: 'queued', ahead: 0, due_at: later.due.toISOString() };
    const index = queue.findIndex((job) => job.run_id === runId);
    if (index < 0) return null;
    return { ...(queue[index] as SealJob), status: 'queued', ahead: index + running.size };
  }

  return {
    kind: 'memory',
    // Closing, this queue drops everything it holds: nothing it took after that would ever run.
    enqueue(job, { startAfterSeconds = 0 }) {
      if (closed) return Promise.reject(new QueueFullError('the server is shutting down'));
      if (startAfterSeconds > 0) {
        if (scheduled.size >= MAX_SCHEDULED_JOBS) return Promise.reject(new QueueFullError(`${MAX_SCHEDULED_JOBS} seals are already scheduled in this server`));
        const timer = setTimeout(() => {
          scheduled.delete(job.run_id);
          if (closed) return;
          // Its time came: it joins the queue (beyond the bound of waiting jobs, it is dropped and said so).
          if (queue.length >= MAX_QUEUED_JOBS) worker?.onError?.(new QueueFullError(`scheduled seal ${job.run_id} was dropped: ${MAX_QUEUED_JOBS} smoke runs were already queued`), job);
          else queue.push(job);
          pump();
        }, startAfterSeconds * 1000);
        timer.unref();
        scheduled.set(job.run_id, { job, timer, due: new Date(Date.now() + startAfterSeconds * 1000) });
        return Promise.resolve(statusOf(job.run_id) as SealJobStatus);
      }
      if (queue.length >= MAX_QUEUED_JOBS) return Promise.reject(new QueueFullError(`${MAX_QUEUED_JOBS} smoke runs are already queued; try again when they have finished`));
      queue.push(job);
      pump();
      return Promise.resolve(statusOf(job.run_id) as SealJobStatus);
    },
    status(runId) {
      return Promise.resolve(statusOf(runId));
    },
    cancel(runId) {
      const later = scheduled.get(runId);
      if (later) {
        clearTimeout(later.timer);
        scheduled.delete(runId);
        return Promise.resolve(true);
      }
      const index = queue.findIndex((job) => job.run_id === runId);
      if (index >= 0) queue.splice(index, 1);
      return Promise.resolve(index >= 0);
    },
    cancelSoaks(app, except = []) {
      let cancelled = 0;
      for (const [runId, { job, timer }] of scheduled) {
        if (job.app !== app || !job.soak || except.includes(runId)) continue;
        clearTimeout(timer);
        scheduled.delete(runId);
        cancelled++;
      }
      for (let i = queue.length - 1; i >= 0; i--) {
        const job = queue[i] as SealJob;
        if (job.app !== app || !job.soak || except.includes(job.run_id)) continue;
        queue.splice(i, 1);
        cancelled++;
      }
      return Promise.resolve(cancelled);
    },
    work(options) {
      if (worker) return Promise.reject(new Error('this queue is already being worked'));
      if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) return Promise.reject(new RangeError(`concurrency must be a whole number above 0, got ${options.concurrency}`));
      worker = options;
      pump();
      return Promise.resolve();
    },
    async close({ graceMs = 0 } = {}) {
      closed = true;
      queue.length = 0;
      for (const { timer } of scheduled.values()) clearTimeout(timer);
      scheduled.clear();
      const all = [...running.values()];
      if (graceMs > 0 && all.length > 0) await waitAtMost(Promise.all(all.map((r) => r.done)), graceMs);
      for (const r of all) r.stop.abort();
      await Promise.all(all.map((r) => r.done));
    },
  };
}

/**
 * The in-process queue, for a seal server on the embedded store: jobs run in this process, in the
 * order asked, at most 20 waiting (a CI storm gets 429s, not unbounded memory). They are lost when
 * the process ends; on Postgres the durable queue (pg-boss.ts) takes its place.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueFullError, type SealJob, type SealJobStatus, type SealQueue, type WorkOptions } from './types.js';

/** At most this many jobs wait. */
export const MAX_QUEUED_JOBS = 20;

/** Creates an in-process queue; jobs run once `work` has been called. */
export function createMemoryQueue(): SealQueue {
  const queue: SealJob[] = [];
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
        .then(() => execute(job, stop.signal))
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
    const index = queue.findIndex((job) => job.run_id === runId);
    if (index < 0) return null;
    return { ...(queue[index] as SealJob), status: 'queued', ahead: index + running.size };
  }

  return {
    kind: 'memory',
    enqueue(job) {
      if (closed) return Promise.reject(new QueueFullError('the server is shutting down'));
      if (queue.length >= MAX_QUEUED_JOBS) return Promise.reject(new QueueFullError(`${MAX_QUEUED_JOBS} smoke runs are already queued; try again when they have finished`));
      queue.push(job);
      pump();
      return Promise.resolve(statusOf(job.run_id) as SealJobStatus);
    },
    status(runId) {
      return Promise.resolve(statusOf(runId));
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
      const all = [...running.values()];
      if (graceMs > 0 && all.length > 0) {
        const patience = new AbortController();
        await Promise.race([Promise.all(all.map((r) => r.done)), sleep(graceMs, undefined, { signal: patience.signal }).catch(() => undefined)]);
        patience.abort();
      }
      for (const r of all) r.stop.abort();
      await Promise.all(all.map((r) => r.done));
    },
  };
}

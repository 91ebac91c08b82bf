/** The in-process queue of a server on the embedded store: in order, bounded, `concurrency` at a time. */
import { describe, expect, it } from 'vitest';
import { createMemoryQueue, MAX_QUEUED_JOBS } from './memory.js';
import type { SealJob } from './types.js';

const job = (n: number): SealJob => ({ run_id: `run-${n}`, app: 'studio', version: `v${n}`, requested_at: '2026-11-21T00:00:00Z' });
const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const options = { deadlineMs: 60_000 };

describe('the in-process queue', () => {
  it('runs one job at a time in the order asked, says how many are ahead, and refuses the 21st waiting job', async () => {
    const started: string[] = [];
    const finish: (() => void)[] = [];
    const jobs = createMemoryQueue();
    await jobs.work({ location: null, concurrency: 1, execute: (j) => new Promise<void>((resolve) => (started.push(j.run_id), finish.push(resolve))) });
    expect(await jobs.enqueue(job(0), options)).toMatchObject({ status: 'running', ahead: 0 });
    for (let i = 1; i <= MAX_QUEUED_JOBS; i++) await jobs.enqueue(job(i), options);
    expect(await jobs.status('run-1')).toMatchObject({ status: 'queued', ahead: 1 });
    expect(await jobs.status(`run-${MAX_QUEUED_JOBS}`)).toMatchObject({ status: 'queued', ahead: MAX_QUEUED_JOBS });
    await expect(jobs.enqueue(job(99), options)).rejects.toThrow(`${MAX_QUEUED_JOBS} smoke runs are already queued`);
    await ticks(3);
    expect(started).toEqual(['run-0']);
    finish[0]?.();
    await ticks(5);
    expect(started).toEqual(['run-0', 'run-1']);
    expect(await jobs.status('run-0')).toBeNull();
    expect(await jobs.status('run-1')).toMatchObject({ status: 'running' });
    const closing = jobs.close();
    finish[1]?.();
    await closing;
    expect(started).toEqual(['run-0', 'run-1']);
    await expect(jobs.enqueue(job(100), options)).rejects.toThrow('the server is shutting down');
  });

  it('a job that throws does not stop the queue, and is reported', async () => {
    const failures: string[] = [];
    const done: string[] = [];
    const jobs = createMemoryQueue();
    await jobs.work({
      location: null,
      concurrency: 1,
      execute: (j) => {
        if (j.run_id === 'run-1') return Promise.reject(new Error('no browser'));
        done.push(j.run_id);
        return Promise.resolve();
      },
      onError: (error, j) => failures.push(`${j.run_id}: ${(error as Error).message}`),
    });
    for (const n of [1, 2]) await jobs.enqueue(job(n), options);
    for (let i = 0; i < 20 && done.length === 0; i++) await ticks(1);
    expect(failures).toEqual(['run-1: no browser']);
    expect(done).toEqual(['run-2']);
  });

  it('runs `concurrency` jobs at once, and on close gives running jobs the grace period before aborting them', async () => {
    const started: string[] = [];
    const aborted: string[] = [];
    const jobs = createMemoryQueue();
    await jobs.work({
      location: null,
      concurrency: 2,
      execute: (j, signal) =>
        new Promise<void>((resolve) => {
          started.push(j.run_id);
          signal.addEventListener('abort', () => (aborted.push(j.run_id), resolve()), { once: true });
        }),
    });
    for (const n of [1, 2, 3]) await jobs.enqueue(job(n), options);
    await ticks(3);
    expect(started).toEqual(['run-1', 'run-2']);
    expect(await jobs.status('run-3')).toMatchObject({ status: 'queued', ahead: 2 });
    const t0 = performance.now();
    await jobs.close({ graceMs: 50 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(aborted.sort()).toEqual(['run-1', 'run-2']);
    expect(started).toEqual(['run-1', 'run-2']);
  });

  it('a scheduled job (a soak seal on the embedded store) waits for its time, says when it is due, and an app\'s pending soaks can be cancelled', async () => {
    const started: string[] = [];
    const jobs = createMemoryQueue();
    await jobs.work({ location: null, concurrency: 1, execute: (j) => (started.push(j.run_id), Promise.resolve()) });
    const soon = await jobs.enqueue({ ...job(1), soak: '1s' }, { deadlineMs: 60_000, startAfterSeconds: 0.05 });
    expect(soon).toMatchObject({ status: 'queued', due_at: expect.any(String) });
    await jobs.enqueue({ ...job(2), soak: '1h' }, { deadlineMs: 60_000, startAfterSeconds: 3600 });
    await jobs.enqueue({ ...job(3), app: 'other', soak: '1h' }, { deadlineMs: 60_000, startAfterSeconds: 3600 });
    expect(started).toEqual([]);
    for (let i = 0; i < 100 && started.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(started).toEqual(['run-1']);
    // A newer seal of studio cancels its pending soak, not other apps'.
    expect(await jobs.cancelSoaks('studio')).toBe(1);
    expect(await jobs.status('run-2')).toBeNull();
    expect(await jobs.status('run-3')).toMatchObject({ status: 'queued' });
    await jobs.close();
    expect(await jobs.status('run-3')).toBeNull();
  });
});

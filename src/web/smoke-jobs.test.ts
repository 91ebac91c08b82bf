/** The queue of smoke runs a server does itself: one at a time, in order, bounded. */
import { describe, expect, it } from 'vitest';
import { createSmokeJobs, MAX_QUEUED_JOBS, type SmokeJob } from './smoke-jobs.js';

const job = (n: number): SmokeJob => ({ run_id: `run-${n}`, app: 'studio', version: `v${n}`, requested_at: '2026-11-21T00:00:00Z' });

describe('server smoke jobs', () => {
  it('runs one job at a time in the order asked, says how many are ahead, and refuses the 21st waiting job', async () => {
    const started: string[] = [];
    const finish: (() => void)[] = [];
    const jobs = createSmokeJobs({ execute: (j) => new Promise<void>((resolve) => (started.push(j.run_id), finish.push(resolve))) });
    expect(jobs.enqueue(job(0))).toMatchObject({ status: 'running', ahead: 0 });
    for (let i = 1; i <= MAX_QUEUED_JOBS; i++) jobs.enqueue(job(i));
    expect(jobs.status('run-1')).toMatchObject({ status: 'queued', ahead: 1 });
    expect(jobs.status(`run-${MAX_QUEUED_JOBS}`)).toMatchObject({ status: 'queued', ahead: MAX_QUEUED_JOBS });
    expect(() => jobs.enqueue(job(99))).toThrow(`${MAX_QUEUED_JOBS} smoke runs are already queued`);
    expect(started).toEqual(['run-0']);
    finish[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['run-0', 'run-1']);
    expect(jobs.status('run-0')).toBeNull();
    expect(jobs.status('run-1')).toMatchObject({ status: 'running' });
    const closing = jobs.close();
    finish[1]?.();
    await closing;
    expect(started).toEqual(['run-0', 'run-1']);
    expect(() => jobs.enqueue(job(100))).toThrow('the server is shutting down');
  });

  it('a job that throws does not stop the queue, and is reported', async () => {
    const failures: string[] = [];
    const done: string[] = [];
    const jobs = createSmokeJobs({
      execute: (j) => {
        if (j.run_id === 'run-1') return Promise.reject(new Error('no browser'));
        done.push(j.run_id);
        return Promise.resolve();
      },
      onError: (error, j) => failures.push(`${j.run_id}: ${(error as Error).message}`),
    });
    [1, 2].forEach((n) => jobs.enqueue(job(n)));
    for (let i = 0; i < 20 && done.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual(['run-1: no browser']);
    expect(done).toEqual(['run-2']);
  });
});

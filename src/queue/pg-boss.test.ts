/** The durable queue on the machine's real Postgres: bounds, cancelling, statuses. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import { resolveApp } from '../../test/helpers/apps.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { enqueueSeal, scheduleSoaks } from './enqueue.js';
import { MAX_EXPIRY_S, openPgQueue, queueName } from './pg-boss.js';
import { QueueFullError, type SealJob, type SealQueue } from './types.js';

const skip = await postgresSkipReason();
const job = (n: number, extra: Partial<SealJob> = {}): SealJob => ({ run_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, app: 'studio', version: `v${n}`, requested_at: '2026-12-01T00:00:00Z', ...extra });

describe.skipIf(skip)('the durable queue (pg-boss on Postgres)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let queue: SealQueue;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    queue = await openPgQueue({ databaseUrl: database.url, maxQueued: 3 });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    await client?.end();
    await database?.drop();
  });

  // What earlier tests left queued is cancelled: each of these starts with empty queues (SEAL_QUEUE_MAX is 3 here).
  const clear = async (): Promise<void> => void (await client.query(`UPDATE pgboss.job SET state = 'cancelled' WHERE state < 'completed'`));

  it('queues in order, says how many are ahead, and refuses the job beyond SEAL_QUEUE_MAX with a 429-kind error', async () => {
    expect(await queue.enqueue(job(1), { deadlineMs: 60_000 })).toMatchObject({ status: 'queued', ahead: 0, retries: 0 });
    expect(await queue.enqueue(job(2), { deadlineMs: 60_000 })).toMatchObject({ status: 'queued', ahead: 1 });
    await queue.enqueue(job(3), { deadlineMs: 60_000 });
    await expect(queue.enqueue(job(4), { deadlineMs: 60_000 })).rejects.toThrow(QueueFullError);
    await expect(queue.enqueue(job(4), { deadlineMs: 60_000 })).rejects.toThrow('3 smoke runs are already queued for any location');
    // The same run id twice is refused, not queued twice.
    await queue.cancel(job(3).run_id);
    await expect(queue.enqueue(job(1), { deadlineMs: 60_000 })).rejects.toThrow(`run ${job(1).run_id} is already queued`);
    expect(await queue.status(job(3).run_id)).toMatchObject({ status: 'cancelled' });
    expect(await queue.status('not-a-uuid')).toBeNull();
    expect(await queue.status('00000000-0000-4000-8000-999999999999')).toBeNull();
  });

  it('caps a job\'s expiry under pg-boss\'s 24 hours, whatever deadline_ms says, and schedules a job for later', async () => {
    const status = await queue.enqueue(job(10, { location: 'eu-west', soak: '1h' }), { deadlineMs: 100 * 3600_000, startAfterSeconds: 3600 });
    expect(status).toMatchObject({ status: 'queued', due_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    const { rows } = await client.query<{ name: string; expire: number }>(`SELECT name, extract(epoch FROM expire_in)::int AS expire FROM pgboss.job WHERE id = $1`, [job(10).run_id]);
    expect(rows).toEqual([{ name: queueName('eu-west'), expire: MAX_EXPIRY_S }]);
    // A newer seal of the app cancels its soaks not yet run, in every queue; other apps' stay.
    await queue.enqueue(job(11, { app: 'other', soak: '1h' }), { deadlineMs: 60_000, startAfterSeconds: 3600 });
    expect(await queue.cancelSoaks('studio')).toBe(1);
    expect(await queue.status(job(10).run_id)).toMatchObject({ status: 'cancelled' });
    expect(await queue.status(job(11).run_id)).toMatchObject({ status: 'queued' });
  });

  it('cancels in one step: a job a worker has taken is not marked cancelled under it', async () => {
    await clear();
    await queue.enqueue(job(20), { deadlineMs: 60_000 });
    await client.query(`UPDATE pgboss.job SET state = 'active', started_on = now() WHERE id = $1`, [job(20).run_id]);
    expect(await queue.cancel(job(20).run_id)).toBe(false);
    expect(await queue.status(job(20).run_id)).toMatchObject({ status: 'running' });
    await client.query(`UPDATE pgboss.job SET state = 'completed' WHERE id = $1`, [job(20).run_id]);
  });

  it('a located seal refused for one location (429) leaves nothing behind: no finish job to record an error seal later', async () => {
    await clear();
    const app = resolveApp({ production_url: 'http://127.0.0.1:9', locations: ['eu-west', 'us-east'], checks: [{ name: 'up', http: '/' }] });
    for (let n = 30; n < 33; n++) await queue.enqueue(job(n, { location: 'us-east' }), { deadlineMs: 60_000 });
    const seal = job(40, { app: 'app' });
    await expect(enqueueSeal(queue, app, seal)).rejects.toThrow('3 smoke runs are already queued for location us-east');
    const { rows } = await client.query<{ name: string; state: string }>(`SELECT name, state FROM pgboss.job WHERE id::text = $1 OR data->'set'->>'run_id' = $1 ORDER BY name`, [seal.run_id]);
    expect(rows).toEqual([{ name: 'seal-finish', state: 'cancelled' }, { name: queueName('eu-west'), state: 'cancelled' }]);
  });

  it('scheduling a release\'s soaks cancels the app\'s other soaks, never its own new ones (a located soak\'s parts included)', async () => {
    await clear();
    const app = resolveApp({ production_url: 'http://127.0.0.1:9', locations: ['eu-west'], soak: ['1h'], checks: [{ name: 'up', http: '/' }] });
    const first = await scheduleSoaks(queue, app, 'v1', undefined);
    expect(first.scheduled).toHaveLength(1);
    const second = await scheduleSoaks(queue, app, 'v2', undefined);
    // v1's finish job and its eu-west part; v2's both stay queued.
    expect(second.cancelled).toBe(2);
    const states = async (setId: string) => (await client.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE id::text = $1 OR data->'set'->>'run_id' = $1`, [setId])).rows.map((r) => r.state).sort();
    expect(await states(first.scheduled[0] as string)).toEqual(['cancelled', 'cancelled']);
    expect(await states(second.scheduled[0] as string)).toEqual(['created', 'created']);
  });

  it('refuses a location name that cannot be one', () => {
    expect(() => queueName('EU West')).toThrow('"EU West" is not a location name');
  });
});

describe.skipIf(skip)('the durable queue shutting down', () => {
  it('gives a job stopped by shutdown back whole (no retry used), refuses clients while closing but takes this process\'s own soaks', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const queue = await openPgQueue({ databaseUrl: database.url, pollMs: 50 });
    try {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const seen: SealJob[] = [];
      await queue.work({
        location: null,
        concurrency: 1,
        execute: async (taken, signal) => {
          seen.push(taken);
          started();
          // A long suite: it ends only when the worker stops it.
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          throw new Error('stopped by the shutdown');
        },
      });
      await queue.enqueue(job(1), { deadlineMs: 60_000 });
      await running;
      // Grace enough for the two asks below to end before the queue stops, however loaded the machine.
      const closing = queue.close({ graceMs: 2000 });
      await expect(queue.enqueue(job(2), { deadlineMs: 60_000 })).rejects.toThrow('the server is shutting down');
      expect(await queue.enqueue(job(3, { soak: '1h' }), { deadlineMs: 60_000, startAfterSeconds: 3600, internal: true })).toMatchObject({ status: 'queued' });
      await closing;
      expect(seen.map((j) => j.run_id)).toEqual([job(1).run_id]);
      const { rows } = await client.query(`SELECT state, retry_count, started_on FROM pgboss.job WHERE id = $1`, [job(1).run_id]);
      expect(rows).toEqual([{ state: 'created', retry_count: 0, started_on: null }]);
      // Taken again by the next worker, it is still its first attempt.
      const next = await openPgQueue({ databaseUrl: database.url, pollMs: 50 });
      const attempts: number[] = [];
      await next.work({ location: null, concurrency: 1, execute: (_job, _signal, attempt) => Promise.resolve(void attempts.push(attempt.retries)) });
      await waitFor(async () => (await client.query(`SELECT 1 FROM pgboss.job WHERE id = $1 AND state = 'completed'`, [job(1).run_id])).rows.length === 1, 'the given-back job to be completed by the next worker');
      expect(attempts).toEqual([0]);
      await next.close();
    } finally {
      await queue.close().catch(() => undefined);
      await client.end();
      await database.drop();
    }
  }, 60_000);
});

describe.skipIf(skip)('the durable queue losing its database', () => {
  it('an idle worker whose Postgres is gone says so, naming why, instead of waiting for jobs in silence', async () => {
    const database = await createTestDatabase();
    const errors: string[] = [];
    const queue = await openPgQueue({ databaseUrl: database.url, pollMs: 50, healthEveryMs: 100, onError: (error) => errors.push((error as Error).message) });
    try {
      await queue.work({ location: null, concurrency: 1, execute: () => Promise.resolve() });
      // The database is dropped under it (its connections closed): every fetch now fails, and pg-boss's fetch says nothing of it.
      await database.drop();
      await waitFor(() => errors.some((message) => message.startsWith('the job queue cannot reach Postgres, so no job can be taken')), 'the worker to say its database is gone');
      expect(errors.find((message) => message.startsWith('the job queue cannot reach Postgres'))).toMatch(/asked again every 0\.1 s\): \S/);
    } finally {
      await queue.close().catch(() => undefined);
    }
  }, 60_000);
});

/** The durable queue on the machine's real Postgres: bounds, cancelling, statuses. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
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

  it('refuses a location name that cannot be one', () => {
    expect(() => queueName('EU West')).toThrow('"EU West" is not a location name');
  });
});

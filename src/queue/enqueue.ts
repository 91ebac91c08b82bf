/**
 * Asking for a seal, whoever asks (the API, a soak schedule): an app with `locations:` on the
 * durable queue becomes a set of runs, one per location, plus the job that combines them when
 * every location has answered or `location_timeout` has passed. Everything else is one job.
 */
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/types.js';
import type { SealJob, SealJobStatus, SealQueue, SealSet } from './types.js';

/** Queues a seal of `app`; a located app on Postgres gets one run per location. */
export async function enqueueSeal(queue: SealQueue, app: AppConfig, job: SealJob, { startAfterSeconds = 0 }: { startAfterSeconds?: number } = {}): Promise<SealJobStatus> {
  const options = { deadlineMs: app.deadlineMs, startAfterSeconds };
  if (app.locations.length === 0 || queue.kind === 'memory') return queue.enqueue({ ...job, location: null }, options);
  const set: SealSet = { run_id: job.run_id, runs: app.locations.map((location) => ({ location, run_id: randomUUID() })), timeout_s: Math.ceil(app.locationTimeoutMs / 1000) };
  // The finish job first: whatever happens to the rest, the seal is settled, naming what did not come.
  await queue.enqueue({ ...job, kind: 'finish', set }, { ...options, startAfterSeconds: startAfterSeconds + set.timeout_s });
  for (const part of set.runs) await queue.enqueue({ ...job, run_id: part.run_id, location: part.location, set }, options);
  return (await queue.status(job.run_id)) ?? { ...job, status: 'queued', ahead: 0 };
}

/**
 * After a release's seal (not itself a soak): its app's soak seals not yet run are cancelled (a
 * newer release, or this one sealed again, starts its own), and this release's are scheduled.
 */
export async function scheduleSoaks(queue: SealQueue, app: AppConfig, version: string, requestedBy: string | undefined, now: Date = new Date()): Promise<{ cancelled: number; scheduled: string[] }> {
  const cancelled = await queue.cancelSoaks(app.name);
  const scheduled: string[] = [];
  for (const soak of app.soak) {
    const job: SealJob = { run_id: randomUUID(), app: app.name, version, requested_at: now.toISOString(), ...(requestedBy ? { requested_by: requestedBy } : {}), soak: soak.label };
    await enqueueSeal(queue, app, job, { startAfterSeconds: soak.ms / 1000 });
    scheduled.push(job.run_id);
  }
  return { cancelled, scheduled };
}

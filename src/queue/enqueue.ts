/**
 * Asking for a seal, whoever asks (the API, a soak schedule): an app with `locations:` on the
 * durable queue becomes a set of runs, one per location, plus the job that combines them when
 * every location has answered or `location_timeout` has passed. Everything else is one job.
 */
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/types.js';
import type { SealJob, SealJobStatus, SealQueue, SealSet } from './types.js';

/** Queues a seal of `app`; a located app on Postgres gets one run per location. */
export async function enqueueSeal(queue: SealQueue, app: AppConfig, job: SealJob, { startAfterSeconds = 0, internal = false }: { startAfterSeconds?: number; internal?: boolean } = {}): Promise<SealJobStatus> {
  const options = { deadlineMs: app.deadlineMs, startAfterSeconds, internal };
  if (app.locations.length === 0 || queue.kind === 'memory') return queue.enqueue({ ...job, location: null }, options);
  const set: SealSet = { run_id: job.run_id, runs: app.locations.map((location) => ({ location, run_id: randomUUID() })), timeout_s: Math.ceil(app.locationTimeoutMs / 1000) };
  // The finish job first: a process that dies while queueing the rest still leaves a seal that
  // is settled, naming what did not come.
  await queue.enqueue({ ...job, kind: 'finish', set }, { ...options, startAfterSeconds: startAfterSeconds + set.timeout_s });
  const queued: string[] = [];
  try {
    for (const part of set.runs) {
      await queue.enqueue({ ...job, run_id: part.run_id, location: part.location, set }, options);
      queued.push(part.run_id);
    }
  } catch (error) {
    // Refused (a location's queue is full, 429) or failed: the caller is told so, and nothing of
    // this seal is left behind to be recorded later as an error seal nobody asked for.
    for (const runId of [job.run_id, ...queued]) await queue.cancel(runId).catch(() => false);
    throw error;
  }
  return (await queue.status(job.run_id)) ?? { ...job, status: 'queued', ahead: 0 };
}

/**
 * After a release's seal (not itself a soak): its app's soak seals not yet run are cancelled (a
 * newer release, or this one sealed again, starts its own), and this release's are scheduled.
 */
export async function scheduleSoaks(queue: SealQueue, app: AppConfig, version: string, requestedBy: string | undefined, now: Date = new Date()): Promise<{ cancelled: number; scheduled: string[] }> {
  // The new ones first, then the others cancelled: a failure in between leaves an old soak, which
  // checks when it starts that its release is still the app's newest, never a release without soaks.
  const scheduled: string[] = [];
  for (const soak of app.soak) {
    const job: SealJob = { run_id: randomUUID(), app: app.name, version, requested_at: now.toISOString(), ...(requestedBy ? { requested_by: requestedBy } : {}), soak: soak.label };
    await enqueueSeal(queue, app, job, { startAfterSeconds: soak.ms / 1000, internal: true });
    scheduled.push(job.run_id);
  }
  const cancelled = await queue.cancelSoaks(app.name, scheduled);
  return { cancelled, scheduled };
}

/**
 * Running a queued seal job, wherever it is taken: a seal server's own queue or a `seal worker`.
 * The same runner as `seal smoke`, then the same recording: the run, its release's seal and notes,
 * the evidence, then the app's notifiers. Recording is idempotent by run id, and only the process
 * whose recording inserted the run tells anyone, so a job retried after its worker died is
 * recorded and announced once.
 */
import type { Logger } from 'pino';
import type { SealConfig } from '../config/types.js';
import { SealError, errorMessage } from '../errors.js';
import { deliverSeal } from '../notify/deliver.js';
import { createRedactor } from '../redact/redact.js';
import { withWarning, type RunResult } from '../runner/run-result.js';
import { runSuite } from '../runner/run-suite.js';
import { keepEvidence } from '../seal/evidence-files.js';
import { recordOnLedger } from '../seal/record.js';
import { localActor, withActor } from '../store/audit.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { EvidenceStore } from '../store/evidence.js';
import type { Ledger } from '../store/ledger.js';
import { formatDuration } from '../config/duration.js';
import { scheduleSoaks } from './enqueue.js';
import { FINISH_RETRIES } from './pg-boss.js';
import { combineRuns, type MissingPart } from './locations.js';
import type { JobAttempt, SealJob, SealQueue } from './types.js';

/** What running a job needs. */
export interface JobDeps {
  readonly config: SealConfig;
  readonly ledger: Ledger;
  readonly evidence: EvidenceStore;
  readonly deliveries: DeliveryStore;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly evidenceRoot: string;
  /** The board's address for links, when the app names none; null when unknown. */
  readonly boardBase: () => string | null;
  /** Told once a run is recorded (the live board of this process). */
  readonly onRecorded?: (event: { app: string; version: string; status: string | null }) => void;
  /**
   * What a run stopped by shutdown becomes. 'record': its error verdict is recorded (the
   * in-process queue: nothing else would run it). 'retry': nothing is recorded and the job is
   * given back, to be run again by another worker (the durable queue).
   */
  readonly interrupted: 'record' | 'retry';
  /** Where this worker is, for the log and the run result ("eu-west"); null: nowhere in particular. */
  readonly location?: string | null;
  /** The queue the jobs come from: located seals are finished and soak seals scheduled on it. */
  readonly queue: SealQueue;
}

/** Runs jobs and tells notifiers; the same `tell` serves results reported to a server. */
export interface JobRunner {
  readonly execute: (job: SealJob, signal: AbortSignal, attempt: JobAttempt) => Promise<void>;
  /** After a seal reported to the server (not run by a job): the app's soak seals are scheduled. */
  readonly sealed: (app: string, version: string, requestedBy: string | undefined) => Promise<void>;
  /** Tells the app's notifiers about a recorded seal; logs, never throws; returns the result with any delivery warnings. */
  readonly tell: (result: RunResult, current: boolean) => Promise<RunResult>;
}

/** A job was stopped before its seal was recorded; it goes back on the queue. */
export class JobInterrupted extends Error {
  override readonly name = 'JobInterrupted';
}

/** A located seal's finish job found a location's run still running: it looks again later. */
export class StillRunning extends Error {
  override readonly name = 'StillRunning';
}

export function createJobRunner(deps: JobDeps): JobRunner {
  const { config, ledger, logger } = deps;
  // Built once: the config's secrets do not change while the process runs.
  const redactor = createRedactor(config.secrets);
  const redact = (text: string): string => redactor.text(text);

  async function tell(result: RunResult, current: boolean): Promise<RunResult> {
    const app = config.apps[result.app];
    if (!app) return result;
    try {
      const version = result.release?.version ?? null;
      const releaseId = version ? await ledger.releaseIdOf(result.app, version) : null;
      const report = await deliverSeal({ app, notifiers: config.notifiers, result, releaseId, boardBase: app.boardUrl ?? deps.boardBase(), store: deps.deliveries, current, redact });
      for (const { target, outcome } of report.outcomes) logger.info({ app: result.app, version, run_id: result.run_id, target, status: outcome.status, detail: outcome.detail }, 'delivery');
      // Details and warnings come redacted from deliverSeal.
      return report.warnings.reduce((final, warning) => withWarning(final, warning), result);
    } catch (error) {
      logger.error({ err: error, run_id: result.run_id }, 'deliveries failed');
      return result;
    }
  }

  async function run(job: SealJob, signal: AbortSignal, attempt: JobAttempt): Promise<void> {
    const app = config.apps[job.app];
    if (!app) throw new SealError(`app ${job.app} is not in this ${deps.location === undefined ? 'server' : 'worker'}'s config (${config.source})`);
    if (job.kind === 'finish') return finishSet(job, { final: true, last: attempt.last, retried: attempt.retries > 0 });
    if (await overtaken(job)) return;
    // A retried job whose first attempt was recorded after all (its worker was slow, not dead): done.
    const already = await ledger.getRun(job.run_id);
    if (already) {
      logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run already recorded; not run again');
      if (job.set) await finishSet(job, { final: false, last: false });
      else if (attempt.retries > 0 && !job.soak) await tellUntold(job, already.result);
      return;
    }
    const known = await ledger.getRelease(job.app, job.version);
    const release = { version: job.version, sha: known?.sha ?? null, merge_sha: known?.merge_sha ?? null, previous_version: known?.previous_version ?? null };
    logger.info({ app: job.app, version: job.version, run_id: job.run_id, ...(job.location ? { run_location: job.location } : {}), ...(job.soak ? { soak: job.soak } : {}) }, 'smoke run started');
    const ran = await runSuite({ app, release, secrets: config.secrets }, { env: deps.env, evidenceRoot: deps.evidenceRoot, signal, runId: job.run_id });
    if (signal.aborted && deps.interrupted === 'retry') throw new JobInterrupted(`run ${job.run_id} was stopped by the worker's shutdown before it was recorded; it goes back on the queue`);
    let result: RunResult = { ...ran, ...(job.location ? { location: job.location } : {}), ...(job.set ? { part_of: job.set.run_id } : {}), ...(job.soak ? { soak: job.soak } : {}) };
    if (app.locations.length > 0 && !job.set) result = withWarning(result, `${app.name} names locations (${app.locations.join(', ')}), but this seal was run once, from ${deps.location ? `location ${deps.location}` : 'the seal server'}: seals per location need Postgres and seal workers (docs/scaling.md)`);
    if (job.set) {
      // One location's part: into the seal history only; the combined seal is told.
      const outcome = await recordOnLedger(ledger, result, { ...recording(job), historyOnly: true });
      if (outcome.recorded?.inserted) await keepEvidence(deps.evidence, outcome.result);
      logger.info({ app: job.app, version: job.version, run_id: job.run_id, run_location: job.location, verdict: result.verdict, summary: result.summary }, 'smoke run finished (one location of a seal)');
      await finishSet(job, { final: false, last: false });
      return;
    }
    await recordWhole(job, result, true);
  }

  function recording(job: SealJob) {
    const app = config.apps[job.app];
    return { rollbackTemplate: app?.rollback ?? null, flags: { release: job.version }, env: {}, redact, where: deps.location === undefined ? 'the seal server' : 'the seal worker', boardBase: app?.boardUrl ?? deps.boardBase(), tiers: { vocabulary: config.tiers, expected: app?.expectTiers ?? [] }, ...(job.requested_by ? { creditedBy: job.requested_by } : {}) };
  }

  /**
   * A soak seal whose release is no longer the app's newest: a newer release was deployed after it
   * was scheduled (perhaps sealed by the CLI, or not yet sealed, so nothing cancelled it). It would
   * check the newer code in production and call the result this release's: it is dropped, said in
   * the log.
   */
  async function overtaken(job: SealJob): Promise<boolean> {
    if (!job.soak) return false;
    const newest = await newerRelease(job.app, job.version);
    if (newest === null) return false;
    logger.info({ app: job.app, version: job.version, run_id: job.run_id, soak: job.soak, newest }, `soak seal dropped: ${job.app} ${newest} was deployed after ${job.version}`);
    return true;
  }

  /** The app's newest release when it is not `version`, else null. */
  async function newerRelease(app: string, version: string): Promise<string | null> {
    const latest = await ledger.latestRelease(app);
    return latest && latest.version !== version ? latest.version : null;
  }

  /** Records a release's seal (a run, or a located seal's combination), tells people, and schedules the soak seals. */
  async function recordWhole(job: SealJob, result: RunResult, keep: boolean): Promise<void> {
    if (await overtaken(job)) return;
    // A soak seal is told only when it changes the release's verdict.
    const before = job.soak ? ((await ledger.getRelease(job.app, job.version))?.smoke_seal?.status ?? null) : null;
    const outcome = await recordOnLedger(ledger, result, recording(job));
    if (outcome.recorded && !outcome.recorded.inserted) {
      logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run was recorded by another worker meanwhile; this one is dropped, and nobody is told twice');
      return;
    }
    const kept = outcome.recorded && keep ? await keepEvidence(deps.evidence, outcome.result) : outcome.recorded ? outcome.result : withWarning(outcome.result, 'not recorded');
    const quiet = job.soak !== undefined && job.soak !== null && before === kept.verdict;
    const final = outcome.recorded && !quiet ? await tell(kept, outcome.recorded.current) : kept;
    deps.onRecorded?.({ app: job.app, version: job.version, status: outcome.recorded?.current ? final.verdict : null });
    logger.info({ app: job.app, version: job.version, run_id: job.run_id, verdict: final.verdict, summary: final.summary, warnings: final.warnings, ...(job.soak ? { soak: job.soak, told: !quiet } : {}) }, 'smoke run finished');
    if (outcome.recorded?.current && !job.soak) await soaks(job.app, job.version, job.requested_by);
  }

  /**
   * A retried job whose seal is recorded but of which no notifier has a word: the worker that
   * recorded it died before telling anyone (or while it told). Told now, and its soaks scheduled.
   * At least once, rather than a red seal nobody hears of: a worker that was only frozen and wakes
   * mid-telling may tell a webhook twice (Discord edits its one message in place).
   */
  async function tellUntold(job: SealJob, result: RunResult): Promise<void> {
    if ((await deps.deliveries.ofRun(result.run_id)).length > 0) return;
    const release = await ledger.getRelease(job.app, job.version);
    const current = release?.smoke_seal?.run_id === result.run_id;
    logger.warn({ app: job.app, version: job.version, run_id: result.run_id }, 'the worker that recorded this seal stopped before any notifier was told: telling them now');
    await tell(result, current);
    if (current) await soaks(job.app, job.version, job.requested_by);
  }

  async function soaks(appName: string, version: string, requestedBy: string | undefined): Promise<void> {
    const app = config.apps[appName];
    if (!app || app.soak.length === 0) return;
    try {
      // A late seal of an older release schedules nothing, and so cancels nothing of the newest's.
      const newest = await newerRelease(appName, version);
      if (newest !== null) {
        logger.info({ app: appName, version, newest }, 'no soak seals scheduled: not the newest release of the app');
        return;
      }
      const { cancelled, scheduled } = await scheduleSoaks(deps.queue, app, version, requestedBy);
      if (cancelled > 0 || scheduled.length > 0) logger.info({ app: appName, version, cancelled, scheduled, soak: app.soak.map((s) => s.label) }, 'soak seals scheduled');
    } catch (error) {
      logger.error({ err: error, app: appName, version }, 'soak seals could not be scheduled');
    }
  }

  /**
   * Combines a located seal once every location's run is recorded. `final` (the finish job, at
   * `location_timeout`): a location without a run is named as an error; one still running is
   * waited for (the finish job is retried a run's expiry later), unless this is its last try.
   */
  async function finishSet(job: SealJob, { final, last, retried = false }: { final: boolean; last: boolean; retried?: boolean }): Promise<void> {
    const set = job.set;
    const app = config.apps[job.app];
    if (!set || !app) return;
    const combinedAlready = await ledger.getRun(set.run_id);
    if (combinedAlready) {
      // The finish job retried after its process died: the combined seal may be untold.
      if (retried && !job.soak) await tellUntold({ ...job, run_id: set.run_id }, combinedAlready.result);
      return;
    }
    const parts: RunResult[] = [];
    const missing: MissingPart[] = [];
    const waited = formatDuration(set.timeout_s * 1000);
    for (const part of set.runs) {
      const recorded = await ledger.getRun(part.run_id);
      if (recorded) {
        parts.push(recorded.result);
        continue;
      }
      if (!final) return;
      let state = await deps.queue.status(part.run_id);
      if ((state?.status === 'queued' || state?.status === 'retrying') && !(await deps.queue.cancel(part.run_id))) {
        // A worker took it between the look and the cancel: it runs, and is waited for like any other.
        const now = await ledger.getRun(part.run_id);
        if (now) {
          parts.push(now.result);
          continue;
        }
        state = { ...state, status: 'running' };
      }
      if (state?.status === 'running' && !last) throw new StillRunning(`the run in ${part.location} (${part.run_id}) is still running; the seal is finished when it ends, or on the next look`);
      const reason =
        state?.status === 'queued'
          ? `no live worker of location ${part.location} took its run within ${waited} (location_timeout)`
          : state?.status === 'retrying'
            ? `its worker in ${part.location} stopped mid-run, and no other worker of ${part.location} took the run again within ${waited}`
            : state?.status === 'failed'
              ? `its run in ${part.location} failed: ${state.error ?? 'no reason given'}`
              : state?.status === 'running'
                ? `its run in ${part.location} was still running when the seal had waited for it ${FINISH_RETRIES} times`
                : `its run in ${part.location} did not come (${state?.status ?? 'no such job'})`;
      missing.push({ location: part.location, run_id: null, reason });
    }
    const release = await ledger.getRelease(job.app, job.version);
    const combined = combineRuns(set, { app: app.name, base_url: app.productionUrl, release: release ? { version: release.version, sha: release.sha, merge_sha: release.merge_sha, previous_version: release.previous_version ?? null } : { version: job.version, sha: null, merge_sha: null, previous_version: null }, now: new Date() }, parts, missing);
    await recordWhole({ ...job, run_id: set.run_id, kind: 'run', location: null }, job.soak ? { ...combined, soak: job.soak } : combined, false);
  }

  return {
    tell,
    // Each job in the context of who asked for it, never of whatever happened to start the queue.
    execute: (job, signal, attempt) => withActor(job.requested_by ?? localActor(), () => run(job, signal, attempt)),
    sealed: (app, version, requestedBy) => soaks(app, version, requestedBy),
  };
}

/** The log line for a job that threw. */
export function logJobError(logger: Logger): (error: unknown, job: SealJob) => void {
  return (error, job) => (error instanceof StillRunning ? logger.info({ run_id: job.run_id, app: job.app }, errorMessage(error)) : error instanceof JobInterrupted ? logger.warn({ run_id: job.run_id, app: job.app }, errorMessage(error)) : logger.error({ err: error, run_id: job.run_id, app: job.app }, 'smoke run failed'));
}

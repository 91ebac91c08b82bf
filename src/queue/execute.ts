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
import type { SealJob } from './types.js';

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
}

/** Runs jobs and tells notifiers; the same `tell` serves results reported to a server. */
export interface JobRunner {
  readonly execute: (job: SealJob, signal: AbortSignal) => Promise<void>;
  /** Tells the app's notifiers about a recorded seal; logs, never throws; returns the result with any delivery warnings. */
  readonly tell: (result: RunResult, current: boolean) => Promise<RunResult>;
}

/** A job was stopped before its seal was recorded; it goes back on the queue. */
export class JobInterrupted extends Error {
  override readonly name = 'JobInterrupted';
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

  async function run(job: SealJob, signal: AbortSignal): Promise<void> {
    const app = config.apps[job.app];
    if (!app) throw new SealError(`app ${job.app} is not in this ${deps.location === undefined ? 'server' : 'worker'}'s config (${config.source})`);
    // A retried job whose first attempt was recorded after all (its worker was slow, not dead): done.
    if (await ledger.getRun(job.run_id)) {
      logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run already recorded; not run again');
      return;
    }
    const known = await ledger.getRelease(job.app, job.version);
    const release = { version: job.version, sha: known?.sha ?? null, merge_sha: known?.merge_sha ?? null, previous_version: known?.previous_version ?? null };
    logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run started');
    const result = await runSuite({ app, release, secrets: config.secrets }, { env: deps.env, evidenceRoot: deps.evidenceRoot, signal, runId: job.run_id });
    if (signal.aborted && deps.interrupted === 'retry') throw new JobInterrupted(`run ${job.run_id} was stopped by the worker's shutdown before it was recorded; it goes back on the queue`);
    const boardBase = app.boardUrl ?? deps.boardBase();
    const outcome = await recordOnLedger(ledger, result, { rollbackTemplate: app.rollback, flags: { release: job.version }, env: {}, redact, where: deps.location === undefined ? 'the seal server' : 'the seal worker', boardBase, tiers: { vocabulary: config.tiers, expected: app.expectTiers }, ...(job.requested_by ? { creditedBy: job.requested_by } : {}) });
    if (outcome.recorded && !outcome.recorded.inserted) {
      logger.info({ app: job.app, version: job.version, run_id: job.run_id }, 'smoke run was recorded by another worker meanwhile; this one is dropped, and nobody is told twice');
      return;
    }
    const kept = outcome.recorded ? await keepEvidence(deps.evidence, outcome.result) : withWarning(outcome.result, 'not recorded');
    const final = outcome.recorded ? await tell(kept, outcome.recorded.current) : kept;
    deps.onRecorded?.({ app: job.app, version: job.version, status: outcome.recorded?.current ? final.verdict : null });
    logger.info({ app: job.app, version: job.version, run_id: job.run_id, verdict: final.verdict, summary: final.summary, warnings: final.warnings }, 'smoke run finished');
  }

  return {
    tell,
    // Each job in the context of who asked for it, never of whatever happened to start the queue.
    execute: (job, signal) => withActor(job.requested_by ?? localActor(), () => run(job, signal)),
  };
}

/** The log line for a job that threw. */
export function logJobError(logger: Logger): (error: unknown, job: SealJob) => void {
  return (error, job) => (error instanceof JobInterrupted ? logger.warn({ run_id: job.run_id, app: job.app }, errorMessage(error)) : logger.error({ err: error, run_id: job.run_id, app: job.app }, 'smoke run failed'));
}

/**
 * The seal server verifies the audit log (src/store/audit.ts) when it starts and then every
 * `SEAL_AUDIT_VERIFY_EVERY_MS` (default 10 minutes), one verification at a time, in the
 * background: the board shows the newest outcome ("audit chain verified at …", or the first
 * problem), and `GET /api/audit` gives the whole report.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { AuditLog, AuditReport } from '../store/audit.js';

/** How often the server verifies the log by default. */
export const AUDIT_VERIFY_EVERY_MS = 10 * 60_000;

/** What the board shows of the newest verification. */
export interface AuditStatus {
  readonly ok: boolean;
  readonly verified_at: string;
  readonly events: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly problem_count: number;
  /** The first broken link or changed row or file; null when it verifies. */
  readonly first_problem: string | null;
}

export interface AuditWatch {
  /** The newest verification's report, or null before the first one ends (or when it could not run). */
  latest(): AuditReport | null;
  /** Why the newest verification could not run (the store did not answer), or null. */
  failure(): string | null;
  /** Verifies now (joining one already running). */
  verify(): Promise<AuditReport | null>;
  /** Stops verifying; resolves once a verification still running has ended. */
  close(): Promise<void>;
}

/** The board's line from a report. */
export function auditStatus(report: AuditReport): AuditStatus {
  return { ok: report.ok, verified_at: report.verified_at, events: report.events, head: report.head, problem_count: report.problem_count, first_problem: report.problems[0]?.message ?? null };
}

export function watchAudit(log: AuditLog, { everyMs = AUDIT_VERIFY_EVERY_MS, logger, evidenceRoots = [] }: { everyMs?: number; logger: Logger; evidenceRoots?: readonly string[] }): AuditWatch {
  let latest: AuditReport | null = null;
  let failure: string | null = null;
  let running: Promise<AuditReport | null> | null = null;
  const verify = (): Promise<AuditReport | null> => {
    running ??= log
      .verify({ evidenceRoots })
      .then((report) => {
        latest = report;
        failure = null;
        if (report.ok) logger.info({ events: report.events, head: report.head.hash }, 'audit log verified');
        else logger.error({ problems: report.problem_count, first: report.problems[0]?.message }, 'the audit log does not verify');
        return report;
      })
      .catch((error: unknown) => {
        failure = errorMessage(error);
        logger.warn({ err: error }, 'the audit log could not be verified');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  void verify();
  const timer = setInterval(() => void verify(), everyMs);
  timer.unref();
  return {
    latest: () => latest,
    failure: () => failure,
    verify,
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

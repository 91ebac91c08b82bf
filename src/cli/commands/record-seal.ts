/**
 * After the verdict, with no server: record the seal in this machine's store (the embedded one,
 * or Postgres from DATABASE_URL), screenshots included, then tell the app's notifiers. Never
 * throws: a store that is down, busy or broken, or a notifier that fails, becomes a warning on
 * the result, and the verdict stands.
 */
import type { AppConfig, SealConfig } from '../../config/types.js';
import { deliverSeal, type DeliveryReport } from '../../notify/deliver.js';
import type { ReleaseFlags } from '../../release/release-info.js';
import { withWarning, type RunResult } from '../../runner/run-result.js';
import { keepEvidence } from '../../seal/evidence-files.js';
import { recordOnLedger } from '../../seal/record.js';
import { openDb, storeLocation, type OpenDb } from '../../store/db.js';
import { DeliveryStore } from '../../store/deliveries.js';
import { EvidenceStore } from '../../store/evidence.js';
import type { Credited } from '../../store/incidents.js';
import { Ledger } from '../../store/ledger.js';

/** What recording needs to know about the app (null when the config did not load). */
export interface RecordContext {
  readonly rollbackTemplate: string | null;
  readonly flags: ReleaseFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly redact: (text: string) => string;
  /** The app and the config's notifiers, to tell; null when the config did not load. */
  readonly app?: AppConfig | null;
  readonly notifiers?: SealConfig['notifiers'];
}

/** The run as finally recorded, and how its deliveries went (null when none were tried). */
export interface RecordedRun {
  readonly result: RunResult;
  readonly deliveries: DeliveryReport | null;
  /** Post-mortem actions the seal proved done. */
  readonly credited?: readonly Credited[];
}

/** Records the run and delivers it; returns it with the release, rollback and warnings as finally known. */
export async function recordSeal(result: RunResult, context: RecordContext): Promise<RecordedRun> {
  let store: OpenDb | null = null;
  const location = storeLocation(context.env, context.cwd);
  const where = location.databaseUrl ? 'the Postgres store (DATABASE_URL)' : `the embedded store (${location.dataDir})`;
  const boardBase = context.app?.boardUrl ?? null;
  try {
    store = await openDb(location);
    const ledger = new Ledger(store.db);
    const outcome = await recordOnLedger(ledger, result, { ...context, where, knownAppOnly: context.rollbackTemplate === null, boardBase });
    if (!outcome.recorded) return { result: outcome.result, deliveries: null };
    const credited = outcome.credited ?? [];
    let final = await keepEvidence(new EvidenceStore(store.db), outcome.result);
    if (!context.app) return { result: final, deliveries: null, credited };
    const releaseId = outcome.release ? await ledger.releaseIdOf(final.app, outcome.release.version) : null;
    const deliveries = await deliverSeal({ app: context.app, notifiers: context.notifiers ?? {}, result: final, releaseId, boardBase, store: new DeliveryStore(store.db), current: outcome.recorded.current, redact: context.redact });
    // Already redacted by deliverSeal.
    for (const warning of deliveries.warnings) final = withWarning(final, warning);
    return { result: final, deliveries, credited };
  } catch (error) {
    return { result: withWarning(result, `the seal was not recorded in ${where}: ${context.redact((error as Error).message ?? String(error))}`), deliveries: null };
  } finally {
    await store?.close().catch(() => undefined);
  }
}

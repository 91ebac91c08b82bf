/**
 * After the verdict, with no server: record the seal in this machine's store (the embedded one,
 * or Postgres from DATABASE_URL), screenshots included. Never throws: a store that is down, busy
 * or broken becomes a warning on the result, and the verdict stands.
 */
import type { ReleaseFlags } from '../../release/release-info.js';
import { withWarning, type RunResult } from '../../runner/run-result.js';
import { keepEvidence } from '../../seal/evidence-files.js';
import { recordOnLedger } from '../../seal/record.js';
import { openDb, storeLocation, type OpenDb } from '../../store/db.js';
import { EvidenceStore } from '../../store/evidence.js';
import { Ledger } from '../../store/ledger.js';

/** What recording needs to know about the app (null when the config did not load). */
export interface RecordContext {
  readonly rollbackTemplate: string | null;
  readonly flags: ReleaseFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly redact: (text: string) => string;
}

/** Records the run; returns it with the release, rollback and warnings as finally known. */
export async function recordSeal(result: RunResult, context: RecordContext): Promise<RunResult> {
  let store: OpenDb | null = null;
  const location = storeLocation(context.env, context.cwd);
  const where = location.databaseUrl ? 'the Postgres store (DATABASE_URL)' : `the embedded store (${location.dataDir})`;
  try {
    store = await openDb(location);
    const outcome = await recordOnLedger(new Ledger(store.db), result, { ...context, where, knownAppOnly: context.rollbackTemplate === null });
    if (!outcome.recorded) return outcome.result;
    return await keepEvidence(new EvidenceStore(store.db), outcome.result);
  } catch (error) {
    return withWarning(result, `the seal was not recorded in ${where}: ${context.redact((error as Error).message ?? String(error))}`);
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/**
 * After the verdict, with no server: record the seal in this machine's store (the embedded one,
 * or Postgres from DATABASE_URL), screenshots included, then tell the app's notifiers. Never
 * throws: a store that is down, busy or broken, or a notifier that fails, becomes a warning on
 * the result, and the verdict stands.
 */
import type { AppConfig, SealConfig } from '../../config/types.js';
import { errorMessage } from '../../errors.js';
import { deliverSeal, type DeliveryReport } from '../../notify/deliver.js';
import type { ReleaseFlags } from '../../release/release-info.js';
import { withWarning, type RunResult } from '../../runner/run-result.js';
import { keepEvidence } from '../../seal/evidence-files.js';
import { flushOutbox, outboxDir, putInOutbox, takeFromOutbox } from '../../seal/outbox.js';
import { EMPTY_LEDGER, previewOnLedger, recordOnLedger, type SealRecording } from '../../seal/record.js';
import { describeStore, isNewEmbeddedStore, msFromEnv, openDb, storeLocation, type OpenDb } from '../../store/db.js';
import { DeliveryStore, NO_DELIVERY_MEMORY } from '../../store/deliveries.js';
import type { EarlyStore } from '../../store/early-store.js';
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
  /**
   * Called once, before anything is written: with the run as recording will make it (release and
   * rollback read from the ledger), or, when the ledger cannot be read within PREVIEW_MS, with
   * the run as it is and a warning saying so. `seal smoke` prints the verdict here.
   */
  readonly announce?: (run: RunResult) => void;
  /** The tier vocabulary and the app's expect_tiers (none when the config did not load). */
  readonly tiers?: SealRecording['tiers'];
  /** The embedded store, opened while the checks ran (early-store.ts); recording opens it itself without one. */
  readonly early?: EarlyStore | null;
}

/** The run as finally recorded, and how its deliveries went (null when none were tried). */
export interface RecordedRun {
  readonly result: RunResult;
  readonly deliveries: DeliveryReport | null;
  /** Post-mortem actions the seal proved done. */
  readonly credited?: readonly Credited[];
  /** Seals of earlier runs recorded from the outbox along with this one. */
  readonly fromOutbox?: number;
}

/** How long recording may take by default (`SEAL_RECORD_TIMEOUT_MS`): the store, the notes, the screenshots. */
export const RECORD_TIMEOUT_MS = 15_000;

/** How long the verdict may wait for the ledger's view of the release before it is printed without it (at most a third of the budget). */
export const PREVIEW_MS = 3_000;

/** The recording budget from the environment. */
export function recordTimeoutMs(env: NodeJS.ProcessEnv): number {
  return msFromEnv(env, 'SEAL_RECORD_TIMEOUT_MS') ?? RECORD_TIMEOUT_MS;
}

/**
 * Records the run and delivers it; returns it with the release, rollback and warnings as finally
 * known. Recording ends within SEAL_RECORD_TIMEOUT_MS whatever the store does (a lock held by
 * another session, a Postgres that stopped answering): then, or when it fails, the seal is
 * still told to the notifiers from the run in memory, and a warning says it was not recorded.
 */
export async function recordSeal(result: RunResult, context: RecordContext): Promise<RecordedRun> {
  const budget = recordTimeoutMs(context.env);
  // Each Postgres statement and lock wait gets a part of the budget, so the database gives up
  // (and rolls back) before we stop waiting; the timer below is the bound for everything else.
  const base = storeLocation(context.env, context.cwd);
  const location = { ...base, statementTimeoutMs: Math.max(500, Math.floor(budget / 3)), waitMs: Math.min(base.waitMs ?? budget, budget) };
  const where = describeStore(location);
  const boardBase = context.app?.boardUrl ?? null;
  // Written ahead: whatever happens to the store or to this process from here on, the run is on
  // disk until the store has it.
  let kept: string | null = null;
  let outboxProblem: string | null = null;
  try {
    kept = putInOutbox(location.dataDir, result, { rollbackTemplate: context.rollbackTemplate === null ? null : context.redact(context.rollbackTemplate), flags: context.flags, env: context.env });
  } catch (error) {
    outboxProblem = `could not keep the run in the outbox (${outboxDir(location.dataDir)}): ${context.redact(errorMessage(error))}`;
  }
  const keptNote = kept ? ` (kept in ${kept}: \`seal outbox flush\` records it, as does the next seal command that opens the store)` : outboxProblem ? `; ${outboxProblem}` : '';
  // The verdict is announced once: with the ledger's view of the release when it can be read in
  // time, else as the run has it.
  let announced = false;
  const announce = (run: RunResult): void => {
    if (announced) return;
    announced = true;
    context.announce?.(run);
  };
  const unread = (why: string): void => announce(withWarning(result, `the release and the rollback command are the run's own: ${why}`));
  const previewMs = Math.min(PREVIEW_MS, Math.floor(budget / 3));
  const previewTimer = setTimeout(() => unread(`${where} could not be read within ${previewMs} ms (recording goes on, within ${budget} ms)`), previewMs);
  let gaveUp = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), budget);
  });
  const deadline = Date.now() + budget;
  const recording = recordInStore(result, { ...context, announce }, location, where, boardBase, () => gaveUp, deadline);
  const first = await Promise.race([recording, timeout]);
  clearTimeout(timer);
  clearTimeout(previewTimer);
  if (first === 'timeout') {
    gaveUp = true;
    unread(`${where} could not be read`);
    const unrecorded = withWarning(result, `the seal was not recorded in ${where}: recording did not finish within ${budget} ms (SEAL_RECORD_TIMEOUT_MS)${keptNote}`);
    return tellWithoutStore(unrecorded, context, boardBase);
  }
  if (first.failed) {
    unread(`${where} could not be read (${first.problem})`);
    return tellWithoutStore(withWarning(first.result, `${first.warning}${keptNote}`), context, boardBase);
  }
  // Recorded without a preview (an app the ledger does not know yet): announced as recorded.
  announce(first.recorded.result);
  if (kept) takeFromOutbox(location.dataDir, result.run_id);
  return outboxProblem ? { ...first.recorded, result: withWarning(first.recorded.result, outboxProblem) } : first.recorded;
}

type StoreAttempt = { readonly failed: false; readonly recorded: RecordedRun } | { readonly failed: true; readonly result: RunResult; readonly warning: string; readonly problem: string };

/** The store's part: record, keep the screenshots, tell the notifiers with the store's memory of past posts. */
async function recordInStore(result: RunResult, context: RecordContext, location: ReturnType<typeof storeLocation>, where: string, boardBase: string | null, abandoned: () => boolean, deadline: number): Promise<StoreAttempt> {
  let store: OpenDb | null = null;
  try {
    const recording = { ...context, where, knownAppOnly: context.rollbackTemplate === null, boardBase, abandoned };
    // A store not created yet holds nothing: the verdict goes out before it is made (unpacking
    // the template can take longer than the preview may, on a loaded machine).
    if (context.early ? context.early.fresh : isNewEmbeddedStore(location)) context.announce?.(await previewOnLedger(EMPTY_LEDGER, result, recording));
    store = (await context.early?.take())?.store ?? (await openDb(location));
    const ledger = new Ledger(store.db);
    // What recording will make of the run, read first, so the verdict is printed before anything is written.
    try {
      context.announce?.(await previewOnLedger(ledger, result, recording));
    } catch (error) {
      context.announce?.(withWarning(result, `the release and the rollback command are the run's own: ${where} could not be read (${context.redact(errorMessage(error))})`));
    }
    const outcome = await recordOnLedger(ledger, result, recording);
    // Seals left in the outbox by earlier runs go in now, in the time left (this run's own entry
    // is taken out by the caller once this returns).
    const earlier = await flushOutbox(location.dataDir, ledger, where, deadline - 1000, result.run_id).catch(() => null);
    const fromOutbox = earlier?.recorded.length ?? 0;
    if (!outcome.recorded) return { failed: false, recorded: { result: outcome.result, deliveries: null, fromOutbox } };
    const credited = outcome.credited ?? [];
    let final = await keepEvidence(new EvidenceStore(store.db), outcome.result);
    if (!context.app || abandoned()) return { failed: false, recorded: { result: final, deliveries: null, credited, fromOutbox } };
    const releaseId = outcome.release ? await ledger.releaseIdOf(final.app, outcome.release.version) : null;
    const deliveries = await deliverSeal({ app: context.app, notifiers: context.notifiers ?? {}, result: final, releaseId, boardBase, store: new DeliveryStore(store.db), current: outcome.recorded.current, redact: context.redact });
    // Already redacted by deliverSeal.
    for (const warning of deliveries.warnings) final = withWarning(final, warning);
    return { failed: false, recorded: { result: final, deliveries, credited, fromOutbox } };
  } catch (error) {
    const problem = context.redact(errorMessage(error));
    return { failed: true, result, warning: `the seal was not recorded in ${where}: ${problem}`, problem };
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** The seal could not be recorded: the notifiers are told from the run in memory, with no store behind them. */
async function tellWithoutStore(result: RunResult, context: RecordContext, boardBase: string | null): Promise<RecordedRun> {
  if (!context.app) return { result, deliveries: null };
  const deliveries = await deliverSeal({ app: context.app, notifiers: context.notifiers ?? {}, result, releaseId: null, boardBase, store: NO_DELIVERY_MEMORY, current: true, redact: context.redact });
  let final = result;
  for (const warning of deliveries.warnings) final = withWarning(final, warning);
  return { result: final, deliveries };
}

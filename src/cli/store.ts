/** The store for one command: opened, handed to the work, closed; a store that cannot open is the command's error. */
import { errorMessage } from '../errors.js';
import { flushOutbox } from '../seal/outbox.js';
import { describeStore, openDb, storeLocation, type LedgerDb } from '../store/db.js';
import { Ledger } from '../store/ledger.js';
import type { CliIo } from './io.js';

/**
 * Runs `work` on the store (DATABASE_URL or the embedded one); any error is printed with exit 2.
 * Seals left in the outbox (a store that was down when they were made) are recorded first.
 */
export async function withStore(io: CliIo, work: (db: LedgerDb) => Promise<number>): Promise<number> {
  try {
    const location = storeLocation(io.env, io.cwd);
    const store = await openDb(location);
    try {
      await recordOutbox(io, location.dataDir, new Ledger(store.db), describeStore(location));
      return await work(store.db);
    } finally {
      await store.close();
    }
  } catch (error) {
    io.stderr.write(`seal: ${errorMessage(error)}\n`);
    return 2;
  }
}

/** Records what the outbox holds, saying so on stderr; a failure is a warning, never the command's. */
async function recordOutbox(io: CliIo, dataDir: string, ledger: Ledger, where: string): Promise<void> {
  const report = await flushOutbox(dataDir, ledger, where, Date.now() + 10_000).catch(() => null);
  if (!report) return;
  if (report.recorded.length > 0) io.stderr.write(`Recorded from the outbox: ${report.recorded.map((r) => `${r.app} ${r.release ?? '(no release)'} ${r.verdict} (run ${r.run_id})`).join('; ')}\n`);
  for (const failure of report.failed) io.stderr.write(`warning: the outbox entry ${failure.file} was not recorded: ${failure.error}\n`);
}

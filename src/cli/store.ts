/** The store for one command: opened, handed to the work, closed; a store that cannot open is the command's error. */
import { openDb, storeLocation, type LedgerDb } from '../store/db.js';
import type { CliIo } from './io.js';

/** Runs `work` on the store (DATABASE_URL or the embedded one); any error is printed with exit 2. */
export async function withStore(io: CliIo, work: (db: LedgerDb) => Promise<number>): Promise<number> {
  try {
    const store = await openDb(storeLocation(io.env, io.cwd));
    try {
      return await work(store.db);
    } finally {
      await store.close();
    }
  } catch (error) {
    io.stderr.write(`seal: ${(error as Error).message ?? String(error)}\n`);
    return 2;
  }
}

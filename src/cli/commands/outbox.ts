/**
 * `seal outbox list|flush`: seals that could not be recorded when they were made (a store that
 * was down, locked or too slow, a process killed while recording), waiting in
 * `<data dir>/outbox/` to be recorded. Any command that opens the store records them too.
 */
import { errorMessage } from '../../errors.js';
import { flushOutbox, listOutbox, outboxDir, takeFromOutbox } from '../../seal/outbox.js';
import { describeStore, openDb, storeLocation } from '../../store/db.js';
import { Ledger } from '../../store/ledger.js';
import type { CliIo } from '../io.js';
import { table } from '../../reporters/columns.js';
import { localTime } from '../text.js';

/** `seal outbox list [--json]`: exit 0 (an empty outbox included). */
export function outboxListCommand(options: { json?: boolean }, io: CliIo): number {
  const { dataDir } = storeLocation(io.env, io.cwd);
  const found = listOutbox(dataDir);
  const entries = found.flatMap((f) => ('entry' in f ? [{ file: f.file, run_id: f.entry.run.run_id, app: f.entry.run.app, release: f.entry.flags.release ?? f.entry.run.release?.version ?? null, verdict: f.entry.run.verdict, finished_at: f.entry.run.finished_at, written_at: f.entry.written_at, for: f.entry.server ?? 'this machine\'s store' }] : []));
  const broken = found.flatMap((f) => ('broken' in f ? [{ file: f.file, error: f.broken }] : []));
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ outbox: outboxDir(dataDir), entries, broken })}\n`);
    return 0;
  }
  if (entries.length === 0 && broken.length === 0) io.stderr.write(`The outbox (${outboxDir(dataDir)}) is empty: every seal made here was recorded.\n`);
  const rows = entries.map((e) => [localTime(e.written_at, { seconds: true }), e.app, e.release ?? '(no release)', e.verdict, e.run_id, e.for]);
  if (rows.length > 0) io.stdout.write(`${table(['WRITTEN', 'APP', 'RELEASE', 'VERDICT', 'RUN', 'FOR'], rows)}\n`);
  for (const b of broken) io.stderr.write(`cannot read ${b.file}: ${b.error}\n`);
  return 0;
}

/**
 * `seal outbox flush [--json]`: runs for this machine's store are recorded there, runs for a seal
 * server are sent to it (with SEAL_TOKEN). Exit 0 when everything went, 1 when some entry did
 * not, 2 when the store cannot be opened.
 */
export async function outboxFlushCommand(options: { json?: boolean }, io: CliIo): Promise<number> {
  const location = storeLocation(io.env, io.cwd);
  const where = describeStore(location);
  const waiting = listOutbox(location.dataDir);
  const recorded: { run_id: string; app: string; release: string | null; verdict: string; server?: string }[] = [];
  const failed: { file: string; error: string }[] = [];
  // Runs for seal servers: sent, each within its own reporting time.
  for (const found of waiting) {
    if (!('entry' in found) || !found.entry.server) continue;
    const { entry } = found;
    const server = found.entry.server;
    const { reportSeal } = await import('./report-seal.js');
    const sent = await reportSeal(entry.run, { server, token: io.env.SEAL_TOKEN?.trim() || null, rollbackTemplate: entry.rollback_template, flags: entry.flags, env: entry.env });
    if (sent.outcome === 'reported') {
      takeFromOutbox(location.dataDir, entry.run.run_id);
      recorded.push({ run_id: entry.run.run_id, app: entry.run.app, release: sent.result.release?.version ?? null, verdict: entry.run.verdict, server });
    } else {
      failed.push({ file: found.file, error: sent.result.warnings.at(-1) ?? 'not reported' });
    }
  }
  // Runs for this machine's store: the store is opened only when there are some.
  if (waiting.some((f) => !('entry' in f) || !f.entry.server)) {
    try {
      const store = await openDb(location);
      try {
        const local = await flushOutbox(location.dataDir, new Ledger(store.db), where);
        recorded.push(...local.recorded);
        failed.push(...local.failed);
      } finally {
        await store.close();
      }
    } catch (error) {
      if (options.json) io.stdout.write(`${JSON.stringify({ error: errorMessage(error) })}\n`);
      io.stderr.write(`seal: ${errorMessage(error)}\n`);
      return 2;
    }
  }
  const report = { recorded, failed };
  if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  for (const r of report.recorded) io.stderr.write(`${r.server ? `sent to ${r.server}:` : 'recorded'} ${r.app} ${r.release ?? '(no release)'} ${r.verdict} (run ${r.run_id})\n`);
  for (const f of report.failed) io.stderr.write(`not recorded: ${f.file}: ${f.error}\n`);
  if (report.recorded.length === 0 && report.failed.length === 0) io.stderr.write('The outbox is empty: nothing to record.\n');
  return report.failed.length > 0 ? 1 : 0;
}

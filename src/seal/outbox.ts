/**
 * The outbox: a seal waiting to be recorded. `seal smoke` writes its run here, whole and
 * atomically, before it opens the store, and removes it once the store has it; so a store that is
 * down, locked or slow past the deadline, or a `kill -9` in the middle of recording, loses
 * nothing. What is left is recorded by `seal outbox flush`, and by the next command that opens
 * the store. Recording a run twice changes nothing (runs are keyed by their id), so a flush that
 * races a late recording is harmless.
 *
 * One JSON file per run in `<data dir>/outbox/`, mode 0600; everything in it was redacted before
 * it was written.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { CI_SHA_VARIABLES, type ReleaseFlags } from '../release/release-info.js';
import type { RunResult } from '../runner/run-result.js';
import type { Ledger } from '../store/ledger.js';
import { recordOnLedger } from './record.js';

/** A file larger than this is not an outbox entry of ours (a run result is bounded far below it). */
const MAX_ENTRY_BYTES = 32 * 1024 * 1024;

/** The CI variables that name a release, kept so that a later flush resolves it as the run would have. */
const RELEASE_ENV = [...CI_SHA_VARIABLES, 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BRANCH_NAME'];

/** A run waiting to be recorded, with what recording it needs. */
export interface OutboxEntry {
  readonly version: 1;
  readonly written_at: string;
  readonly run: RunResult;
  /** The app's rollback template (redacted), or null when the config did not give one. */
  readonly rollback_template: string | null;
  readonly flags: ReleaseFlags;
  /** The CI variables that name the release, as they were when the run was made. */
  readonly env: Readonly<Record<string, string>>;
  /** The seal server it is for (`--server`); absent for this machine's store. */
  readonly server?: string;
}

/** An entry as found on disk: its file, and the entry or why it cannot be read. */
export type OutboxFile = { readonly file: string; readonly entry: OutboxEntry } | { readonly file: string; readonly broken: string };

/** Where a data directory's outbox is. */
export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

/** Writes the run to the outbox, atomically (a whole file or none); returns the file. */
export function putInOutbox(dataDir: string, run: RunResult, recording: { rollbackTemplate: string | null; flags: ReleaseFlags; env: NodeJS.ProcessEnv; server?: string }): string {
  const dir = outboxDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = Object.fromEntries(RELEASE_ENV.flatMap((name) => (recording.env[name] ? [[name, recording.env[name]]] : [])));
  const entry: OutboxEntry = { version: 1, written_at: new Date().toISOString(), run, rollback_template: recording.rollbackTemplate, flags: recording.flags, env, ...(recording.server ? { server: recording.server } : {}) };
  const file = join(dir, `${run.run_id}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

/** Removes a run's entry (recorded at last). */
export function takeFromOutbox(dataDir: string, runId: string): void {
  rmSync(join(outboxDir(dataDir), `${runId}.json`), { force: true });
}

/** Every entry in the outbox, oldest first; files that cannot be read are listed with why. */
export function listOutbox(dataDir: string): OutboxFile[] {
  const dir = outboxDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const files = names.map((name) => join(dir, name));
  const read = files.map((file): OutboxFile => {
    try {
      if (statSync(file).size > MAX_ENTRY_BYTES) return { file, broken: `larger than ${MAX_ENTRY_BYTES} bytes` };
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<OutboxEntry>;
      if (entry.version !== 1 || !entry.run || typeof entry.run.run_id !== 'string' || typeof entry.run.app !== 'string') return { file, broken: 'not an outbox entry of this version' };
      return { file, entry: entry as OutboxEntry };
    } catch (error) {
      return { file, broken: errorMessage(error) };
    }
  });
  const when = (f: OutboxFile): string => ('entry' in f ? f.entry.written_at : '');
  return read.sort((a, b) => when(a).localeCompare(when(b)));
}

/** What a flush did with each entry. */
export interface FlushReport {
  readonly recorded: readonly { readonly run_id: string; readonly app: string; readonly release: string | null; readonly verdict: string }[];
  readonly failed: readonly { readonly file: string; readonly error: string }[];
}

/**
 * Records every entry on the ledger and removes those recorded; stops at `deadline` (epoch ms),
 * leaving the rest for later. `where` names the store in warnings; `skipRun` is a run being
 * recorded right now by its own command.
 */
export async function flushOutbox(dataDir: string, ledger: Ledger, where: string, deadline = Number.POSITIVE_INFINITY, skipRun: string | null = null): Promise<FlushReport> {
  const recorded: FlushReport['recorded'][number][] = [];
  const failed: FlushReport['failed'][number][] = [];
  for (const found of listOutbox(dataDir)) {
    if (Date.now() >= deadline) break;
    // A run for a seal server goes to that server (`seal outbox flush`), never into this store.
    if ('entry' in found && (found.entry.run.run_id === skipRun || found.entry.server)) continue;
    if ('broken' in found) {
      failed.push({ file: found.file, error: found.broken });
      continue;
    }
    const { entry } = found;
    try {
      // Already redacted when it was written; the run's own warnings stay as they were.
      const outcome = await recordOnLedger(ledger, entry.run, { rollbackTemplate: entry.rollback_template, flags: entry.flags, env: entry.env, redact: (text) => text, where });
      if (!outcome.recorded) throw new Error(outcome.result.warnings.at(-1) ?? 'not recorded');
      takeFromOutbox(dataDir, entry.run.run_id);
      recorded.push({ run_id: entry.run.run_id, app: entry.run.app, release: outcome.release?.version ?? null, verdict: entry.run.verdict });
    } catch (error) {
      failed.push({ file: found.file, error: errorMessage(error) });
    }
  }
  return { recorded, failed };
}

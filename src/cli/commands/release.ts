/**
 * `seal release record|list|show` and `seal stats`: the ledger from the command line. What was
 * asked for goes to stdout (a table, or with `--json` one document), progress and hints to stderr. Exit 0 on success, 1 when the ledger
 * has no such release, 2 on bad input or an unusable store.
 */
import { readFileSync } from 'node:fs';
import { ladderOf, ladderRows } from '../../evidence/ladder.js';
import { DEFAULT_VOCABULARY, type TierVocabulary } from '../../evidence/tiers.js';
import { CreditStore } from '../../store/credits.js';
import { tierConfig } from './credit.js';
import { resolve } from 'node:path';
import { errorMessage, SealError } from '../../errors.js';
import { MAX_NOTES_BYTES, parseInstant } from '../../release/instant.js';
import { Ledger, type ReleaseRecord } from '../../store/ledger.js';
import type { SmokeSeal } from '../../store/schema.js';
import { oneLine } from '../../notify/message.js';
import { VERDICT_BADGE } from '../../reporters/terminal.js';
import type { CliIo } from '../io.js';
import { table } from '../../reporters/columns.js';
import { localTime } from '../text.js';
import { withStore } from '../store.js';

/** Flags of `seal release record`. */
export interface RecordOptions {
  readonly version: string;
  readonly sha?: string;
  readonly mergeSha?: string;
  readonly branch?: string;
  readonly notesFile?: string;
  readonly deployedAt?: string;
  readonly mergedAt?: string;
  readonly json?: boolean;
}

const BADGE: Record<SmokeSeal['status'] | 'pending', string> = { ...VERDICT_BADGE, pending: '… pending' };

/** `seal release record <app> --version V …` */
export function releaseRecordCommand(app: string, options: RecordOptions, io: CliIo): Promise<number> {
  return withLedger(io, async (ledger) => {
    const deployedAt = options.deployedAt === undefined ? undefined : parseInstant(options.deployedAt, '--deployed-at');
    const mergedAt = options.mergedAt === undefined ? undefined : parseInstant(options.mergedAt, '--merged-at');
    const notes = options.notesFile === undefined ? undefined : readNotes(resolve(io.cwd, options.notesFile));
    const { release, created } = await ledger.recordRelease({
      app,
      version: options.version,
      ...(options.sha !== undefined ? { sha: options.sha } : {}),
      ...(options.mergeSha !== undefined ? { mergeSha: options.mergeSha } : {}),
      ...(options.branch !== undefined ? { branch: options.branch } : {}),
      ...(notes !== undefined ? { notes } : {}),
      ...(deployedAt !== undefined ? { deployedAt } : {}),
      ...(mergedAt !== undefined ? { mergedAt } : {}),
    });
    if (options.json) io.stdout.write(`${JSON.stringify({ created, release })}\n`);
    io.stderr.write(`${created ? 'recorded' : 'updated'} ${app} ${release.version}${release.previous_version ? ` (previous: ${release.previous_version})` : ''}\n`);
    return 0;
  });
}

/** `seal release list <app>` */
export function releaseListCommand(app: string, options: { json?: boolean; limit?: string }, io: CliIo): Promise<number> {
  return withLedger(io, async (ledger) => {
    const limit = options.limit === undefined ? 50 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new SealError(`--limit must be a whole number from 1 to 10000, got ${options.limit}`);
    const releases = await ledger.listReleases(app, { limit });
    if (options.json) io.stdout.write(`${JSON.stringify({ app, releases })}\n`);
    if (releases.length === 0) {
      io.stderr.write(`no releases of ${app} recorded yet (seal release record ${app} --version V)\n`);
      return 0;
    }
    if (options.json) return 0;
    const rows = releases.map((r) => [r.version, r.sha?.slice(0, 12) ?? '-', localTime(r.deployed_at), BADGE[r.smoke_seal?.status ?? 'pending'], localTime(r.smoke_seal?.checked_at), oneLine(r.smoke_seal?.summary ?? '', 160)]);
    io.stdout.write(`${table(['VERSION', 'SHA', 'DEPLOYED', 'SEAL', 'CHECKED', 'SUMMARY'], rows)}\n`);
    return 0;
  });
}

/** `seal release show <app> <version>` */
export function releaseShowCommand(app: string, version: string, options: { json?: boolean; config?: string }, io: CliIo): Promise<number> {
  // The config only orders the tiers and says which are expected: one that does not load costs
  // a warning and the default ladder, never the release.
  let vocabulary: TierVocabulary = DEFAULT_VOCABULARY;
  let expected: readonly string[] = [];
  try {
    const found = tierConfig(options.config, io);
    vocabulary = found.vocabulary;
    expected = found.config?.apps[app]?.expectTiers ?? [];
  } catch (error) {
    io.stderr.write(`warning: the config did not load, so the tiers are shown on the default ladder: ${oneLine(errorMessage(error), 300)}\n`);
  }
  return withLedger(io, async (ledger) => {
    const release = await ledger.getRelease(app, version);
    if (!release) {
      const known = (await ledger.listReleases(app, { limit: 5 })).map((r) => r.version);
      if (options.json) io.stdout.write(`${JSON.stringify({ error: `no release ${version} of ${app}` })}\n`);
      io.stderr.write(`seal: no release ${version} of ${app} in the ledger${known.length ? ` (latest: ${known.join(', ')})` : ''}\n`);
      return 1;
    }
    const history = await ledger.sealHistory(app, version);
    const tiers = ladderOf(vocabulary, await new CreditStore(ledger.db).current(app, version), expected);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...release, seal_history: history, tiers })}\n`);
      return 0;
    }
    io.stdout.write(renderRelease(release, history.length));
    const rows = history.map((entry) => [localTime(entry.finished_at, { seconds: true }), BADGE[entry.status], entry.run_id, oneLine(entry.summary, 160)]);
    if (rows.length > 0) io.stdout.write(`${table(['FINISHED', 'SEAL', 'RUN', 'SUMMARY'], rows).replace(/^/gm, '  ')}\n`);
    const ladder = ladderRows(tiers, (at) => localTime(at, { seconds: true })).map((cells) => cells.map((cell) => oneLine(cell, 300)));
    io.stdout.write(`test tiers:\n${table(['TIER', 'STATE', 'EVIDENCE'], ladder).replace(/^/gm, '  ')}\n`);
    return 0;
  });
}

/** `seal stats <app> [--days N]` */
export function statsCommand(app: string, options: { json?: boolean; days?: string }, io: CliIo): Promise<number> {
  return withLedger(io, async (ledger) => {
    const days = options.days === undefined ? 30 : Number(options.days);
    if (!Number.isFinite(days) || days <= 0 || days > 3650) throw new SealError(`--days must be a number of days from 1 to 3650, got ${options.days}`);
    const stats = await ledger.stats(app, new Date(Date.now() - days * 86_400_000).toISOString());
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ ...stats, days })}\n`);
      return 0;
    }
    const pct = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);
    const recovery = stats.failed_deployment_recovery;
    const rows = [
      ['deployments', String(stats.deployments), `${stats.sealed} sealed`],
      ['seal runs', String(stats.green + stats.red + stats.error), `${stats.green} green, ${stats.red} red, ${stats.error} error`],
      ['seal pass rate', pct(stats.seal_pass_rate), ''],
      ['change failure rate', pct(stats.change_failure_rate), `${stats.failed_deployments} of ${stats.deployments} deployments failed: seal red or an incident`],
      ['failed-deployment recovery time', recovery.median, `median; ${recovery.recovered} recovered${recovery.unrecovered ? `, ${recovery.unrecovered} not yet` : ''}`],
    ];
    io.stdout.write(`${app}, last ${days} days (since ${localTime(stats.since)}):\n${table(['METRIC', 'VALUE', ''], rows, ['left', 'right']).replace(/^/gm, '  ')}\n`);
    return 0;
  });
}

function withLedger(io: CliIo, work: (ledger: Ledger) => Promise<number>): Promise<number> {
  return withStore(io, (db) => work(new Ledger(db)));
}

function readNotes(path: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw new SealError(`--notes-file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (buffer.length > MAX_NOTES_BYTES) throw new SealError(`--notes-file ${path} is ${buffer.length} bytes; release notes are limited to ${MAX_NOTES_BYTES} bytes`);
  return buffer.toString('utf8');
}

function renderRelease(r: ReleaseRecord, runs: number): string {
  const seal = r.smoke_seal;
  return [
    `${r.app} ${r.version}`,
    `  sha         ${r.sha ?? '-'}`,
    `  merge sha   ${r.merge_sha ?? '-'}`,
    `  branch      ${r.branch ?? '-'}`,
    `  merged      ${localTime(r.merged_at)}`,
    `  deployed    ${localTime(r.deployed_at)}`,
    `  previous    ${r.previous_version ?? '-'}`,
    `  recorded    ${localTime(r.created_at)}`,
    `  seal        ${BADGE[seal?.status ?? 'pending']}${seal ? `  ${oneLine(seal.summary, 160)}  (checked ${localTime(seal.checked_at)}, run ${seal.run_id})` : ''}`,
    `  notes       ${r.notes === null ? '-' : `${r.notes.length} characters`}`,
    `seal history (${runs}):`,
    '',
  ].join('\n');
}


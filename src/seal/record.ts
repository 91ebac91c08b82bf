/**
 * Recording a seal on the ledger, the same way whoever records it (`seal smoke` on its own
 * store, or a seal server ingesting a CI run): find the release being sealed (or record it),
 * complete the rollback command with what the ledger knows, and persist the run.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { errorMessage } from '../errors.js';
import { ladderOf, missingExpected } from '../evidence/ladder.js';
import { PRODUCTION_SMOKE, type TierVocabulary } from '../evidence/tiers.js';
import { CreditStore, type NewCredit } from '../store/credits.js';
import { CI_SHA_VARIABLES, ciSha, type ReleaseFlags } from '../release/release-info.js';
import { isRollbackWarning, rollbackOf } from '../runner/rollback.js';
import { withWarning, type ReleaseInfo, type RunResult } from '../runner/run-result.js';
import { buildSealMessage } from '../notify/message.js';
import { audited, withActor } from '../store/audit.js';
import { IncidentStore, type Credited } from '../store/incidents.js';
import { Ledger, type RecordedSeal, type ReleaseRecord } from '../store/ledger.js';
import { renderSealBlock, upsertSealBlock } from './notes-block.js';

/**
 * The production_smoke credit a run gives its release: credited when green; counted check by
 * check (an error counts as failed); hashed over the run result as recorded.
 */
export function productionSmokeCredit(run: RunResult, by: string): NewCredit {
  const json = Buffer.from(JSON.stringify(run));
  const count = (...statuses: string[]): number => run.checks.filter((c) => statuses.includes(c.status)).length;
  return {
    tier: PRODUCTION_SMOKE,
    credited: run.verdict === 'green',
    reason: run.verdict === 'green' ? null : `the seal is ${run.verdict}: ${run.summary}`,
    format: 'seal',
    tests: run.checks.length,
    passed: count('passed'),
    failed: count('failed', 'error'),
    skipped: count('skipped'),
    flaky: count('flaky'),
    report_sha256: createHash('sha256').update(json).digest('hex'),
    report_bytes: json.length,
    run_id: run.run_id,
    credited_by: by,
  };
}

/** What recording needs besides the run. */
export interface SealRecording {
  /** The app's rollback template; null keeps the run's own rollback command. */
  readonly rollbackTemplate: string | null;
  readonly flags: ReleaseFlags;
  /** For the CI system's commit when no release is named ({} on a server). */
  readonly env: NodeJS.ProcessEnv;
  readonly redact: (text: string) => string;
  /** Where the seal is recorded, for warnings ("the embedded store (.seal)"). */
  readonly where: string;
  /** Record only if the ledger already knows the app (the config did not load: a typo must not create one). */
  readonly knownAppOnly?: boolean;
  /** The board's address, for the link in the release notes' seal block; null when unknown. */
  readonly boardBase?: string | null;
  /** The tier vocabulary and the app's expect_tiers, for the warning about missing tiers. */
  readonly tiers?: { readonly vocabulary: TierVocabulary; readonly expected: readonly string[] };
  /** Who the production_smoke credit names: the token's name on a server (default: this machine). */
  readonly creditedBy?: string;
  /**
   * One location's part of a located seal: kept in the release's seal history only. The combined
   * seal becomes the release's seal, writes the notes and credits production_smoke.
   */
  readonly historyOnly?: boolean;
  /** True once whoever waits for the recording has stopped waiting: the transaction is rolled back. */
  readonly abandoned?: () => boolean;
}

/** The run as finally recorded, or why it was not. */
export interface SealOutcome {
  readonly result: RunResult;
  readonly release: ReleaseRecord | null;
  readonly recorded: RecordedSeal | null;
  /** Post-mortem actions this green seal proved done (their smoke check passed). */
  readonly credited?: readonly Credited[];
}

/** Records the run on the ledger; returns it with the release, rollback and warnings as finally known. */
export async function recordOnLedger(ledger: Ledger, result: RunResult, recording: SealRecording): Promise<SealOutcome> {
  const { where } = recording;
  if (recording.knownAppOnly && !(await ledger.appExists(result.app))) {
    return { result: withWarning(result, `the seal was not recorded in ${where}: the config did not load and the ledger has no app ${result.app}`), release: null, recorded: null };
  }
  // The release and its seal are written in one transaction: a run that is stopped, or whose
  // seal cannot be written, leaves no release behind without its seal ("pending" for good).
  // Every change is appended to the audit log in the same transaction, by the token that
  // reported the seal on a server (creditedBy), else by this machine's user.
  const transaction = () => audited(ledger.db, async (tx) => {
    const inTx = new Ledger(tx);
    const found = await resolveRelease(inTx, result, recording);
    const next = completeRun(result, found, recording);
    // The release notes carry the current seal, in one block that a re-seal replaces: written
    // with the seal in the same statement when the notes are still as read.
    const sealBlock = found && !recording.historyOnly ? renderSealBlock(buildSealMessage(next, recording.boardBase ?? null)) : null;
    const notes = found && sealBlock ? { known: found.notes, next: upsertSealBlock(found.notes, sealBlock) } : undefined;
    const seal = await inTx.recordSeal(next, found?.version ?? null, { ...(notes ? { notes } : {}), historyOnly: recording.historyOnly === true });
    // The seal credits production_smoke itself, from its own run: the tier's newest row is the current seal's.
    if (found && seal.current) await new CreditStore(tx).record(next.app, found.version, productionSmokeCredit(next, recording.creditedBy ?? `seal smoke on ${hostname()}`));
    // Given up on by whoever waited (its deadline passed): nothing of it is kept.
    if (recording.abandoned?.()) throw new Error('recording was given up on (its time ran out)');
    return { release: found, block: sealBlock, recorded: seal, written: next };
  });
  const { release, block, recorded, written } = await (recording.creditedBy ? withActor(recording.creditedBy, transaction) : transaction());
  let final = written;
  if (release && block && recorded.current && !recorded.notesWritten) {
    try {
      await ledger.updateNotes(result.app, release.version, (current) => upsertSealBlock(current, block));
    } catch (error) {
      final = withWarning(final, `the release notes of ${result.app} ${release.version} were not updated: ${recording.redact(errorMessage(error))}`);
    }
  }
  // Tiers the config expects on every release: one missing (or not credited) is a warning on
  // the seal, never a gate.
  if (recording.historyOnly) return { result: final, release, recorded, credited: [] };
  if (release && recording.tiers && recording.tiers.expected.length > 0) {
    try {
      const missing = missingExpected(ladderOf(recording.tiers.vocabulary, await new CreditStore(ledger.db).current(result.app, release.version), recording.tiers.expected));
      if (missing.length > 0) final = withWarning(final, `${result.app} ${release.version} lacks expected test tiers (expect_tiers): ${missing.join('; ')}; credit them with seal credit`);
    } catch (error) {
      final = withWarning(final, `the expected test tiers of ${result.app} ${release.version} could not be read: ${recording.redact(errorMessage(error))}`);
    }
  }
  // A green seal proves the post-mortem actions whose smoke check passed in it. After the
  // verdict, so a failure here is a warning like any other.
  let credited: Credited[] = [];
  if (final.verdict === 'green' && recorded.inserted) {
    try {
      credited = await new IncidentStore(ledger.db).creditProvedActions(result.app);
    } catch (error) {
      final = withWarning(final, `post-mortem actions proved by this seal were not marked done: ${recording.redact(errorMessage(error))}`);
    }
  }
  if (!release) final = withWarning(final, `the seal was recorded in ${where} without a release: pass --release, record one with \`seal release record\`, or run in CI (${CI_SHA_VARIABLES.slice(0, 2).join(', ')}, …)`);
  else if (!recorded.current) final = withWarning(final, `a newer seal of ${result.app} ${release.version} was already recorded; this one joins its history`);
  return { result: final, release, recorded, credited };
}

/**
 * The run as recording would make it (its release, and the rollback command completed from the
 * ledger), read without writing anything: what `seal smoke` prints before it records. A release
 * recorded by someone else in between can make the recorded run differ; the caller says so.
 */
/** What the preview reads of the ledger. */
export type LedgerReader = Pick<Ledger, 'appExists' | 'getRelease' | 'pageReleases' | 'latestRelease'>;

/** A ledger that holds nothing: what a store not created yet can tell. */
export const EMPTY_LEDGER: LedgerReader = {
  appExists: () => Promise.resolve(false),
  getRelease: () => Promise.resolve(null),
  pageReleases: () => Promise.resolve({ releases: [], next: null }),
  latestRelease: () => Promise.resolve(null),
};

export async function previewOnLedger(ledger: LedgerReader, result: RunResult, recording: SealRecording): Promise<RunResult> {
  if (recording.knownAppOnly && !(await ledger.appExists(result.app))) return result;
  const { flags, env } = recording;
  const app = result.app;
  let found: ReleaseInfo | null;
  if (flags.release) {
    const known = await ledger.getRelease(app, flags.release);
    // A new release's previous one is the app's release recorded last (as `recordRelease` has it).
    const last = known ? null : ((await ledger.pageReleases({ app, limit: 1 })).releases[0] ?? null);
    found = known ?? { version: flags.release, sha: flags.sha ?? result.release?.sha ?? null, merge_sha: flags.mergeSha ?? result.release?.merge_sha ?? null, previous_version: last?.version ?? null };
  } else {
    const sha = flags.sha ?? ciSha(env);
    found = (await ledger.latestRelease(app)) ?? (sha ? { version: sha.slice(0, 12), sha, merge_sha: flags.mergeSha ?? null, previous_version: null } : null);
  }
  return completeRun(result, found, recording);
}

/** The run with the release found (flags win over what the ledger holds) and its rollback command rendered from the template. */
export function completeRun(result: RunResult, found: ReleaseInfo | null, recording: Pick<SealRecording, 'rollbackTemplate' | 'flags' | 'redact'>): RunResult {
  const { flags } = recording;
  const info: ReleaseInfo | null = found
    ? { version: found.version, sha: flags.sha ?? found.sha, merge_sha: flags.mergeSha ?? found.merge_sha, previous_version: flags.previousVersion ?? found.previous_version }
    : result.release;
  const next: RunResult = { ...result, release: info };
  if (recording.rollbackTemplate === null) return next;
  const { rollback, warnings } = rollbackOf(recording.rollbackTemplate, result.app, info, result.verdict, recording.redact);
  const others = result.warnings.filter((w) => !isRollbackWarning(w));
  return { ...next, rollback, warnings: [...others, ...warnings] };
}

/**
 * The release: `--release` (recorded now if new, updated with --sha/--merge-sha), else the
 * app's latest one, else one recorded from the CI system's commit, else none.
 */
async function resolveRelease(ledger: Ledger, result: RunResult, { flags, env }: SealRecording): Promise<ReleaseRecord | null> {
  const app = result.app;
  const fields = { ...(flags.sha ? { sha: flags.sha } : {}), ...(flags.mergeSha ? { mergeSha: flags.mergeSha } : {}) };
  // The run's commit (the CI system's, when nobody named one) describes a release it creates,
  // never one already recorded: only flags overwrite.
  const createOnly = { sha: result.release?.sha, mergeSha: result.release?.merge_sha };
  if (flags.release) return (await ledger.recordRelease({ app, version: flags.release, ...fields, createOnly })).release;
  const latest = await ledger.latestRelease(app);
  if (latest) return latest;
  // A commit named by --sha or by the CI system becomes the release (its first 12 characters).
  const sha = flags.sha ?? ciSha(env);
  if (!sha) return null;
  const branch = env.GITHUB_REF_NAME ?? env.CI_COMMIT_REF_NAME ?? env.BRANCH_NAME ?? null;
  return (await ledger.recordRelease({ app, version: sha.slice(0, 12), sha, ...(flags.mergeSha ? { mergeSha: flags.mergeSha } : {}), branch })).release;
}

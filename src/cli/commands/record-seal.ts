/**
 * After the verdict: find the release being sealed in the ledger (or record it), complete the
 * rollback command with what the ledger knows, and persist the seal. Never throws: a store that
 * is down, busy or broken becomes a warning on the result, and the verdict stands.
 */
import { CI_SHA_VARIABLES, ciSha, type ReleaseFlags } from '../../release/release-info.js';
import { rollbackOf } from '../../runner/rollback.js';
import { withWarning, type ReleaseInfo, type RunResult } from '../../runner/run-result.js';
import { openDb, storeLocation, type OpenDb } from '../../store/db.js';
import { Ledger, type ReleaseRecord } from '../../store/ledger.js';

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
    const ledger = new Ledger(store.db);
    // An app the config does not define (the config failed to load) is recorded only if the
    // ledger already knows it: a typo must not create an app.
    if (context.rollbackTemplate === null && !(await ledger.appExists(result.app))) {
      return withWarning(result, `the seal was not recorded in ${where}: the config did not load and the ledger has no app ${result.app}`);
    }
    const release = await resolveRelease(ledger, result.app, context);
    const info: ReleaseInfo | null = release
      ? { version: release.version, sha: context.flags.sha ?? release.sha, merge_sha: context.flags.mergeSha ?? release.merge_sha, previous_version: context.flags.previousVersion ?? release.previous_version }
      : result.release;
    let final: RunResult = { ...result, release: info };
    if (context.rollbackTemplate !== null) {
      const { rollback, warnings } = rollbackOf(context.rollbackTemplate, result.app, info, result.verdict, context.redact);
      const others = result.warnings.filter((w) => !w.startsWith('the rollback command needs '));
      final = { ...final, rollback, warnings: [...others, ...warnings] };
    }
    const recorded = await ledger.recordSeal(final, release?.version ?? null);
    if (!release) final = withWarning(final, `the seal was recorded in ${where} without a release: pass --release, record one with \`seal release record\`, or run in CI (${CI_SHA_VARIABLES.slice(0, 2).join(', ')}, …)`);
    else if (!recorded.current) final = withWarning(final, `a newer seal of ${result.app} ${release.version} was already recorded; this one joins its history`);
    return final;
  } catch (error) {
    return withWarning(result, `the seal was not recorded in ${where}: ${context.redact((error as Error).message ?? String(error))}`);
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/**
 * The release: `--release` (recorded now if new, updated with --sha/--merge-sha), else the
 * app's latest one, else one recorded from the CI system's commit, else none.
 */
async function resolveRelease(ledger: Ledger, app: string, { flags, env }: RecordContext): Promise<ReleaseRecord | null> {
  const fields = { ...(flags.sha ? { sha: flags.sha } : {}), ...(flags.mergeSha ? { mergeSha: flags.mergeSha } : {}) };
  if (flags.release) return (await ledger.recordRelease({ app, version: flags.release, ...fields })).release;
  const latest = await ledger.latestRelease(app);
  if (latest) return latest;
  // A commit named by --sha or by the CI system becomes the release (its first 12 characters).
  const sha = flags.sha ?? ciSha(env);
  if (!sha) return null;
  const branch = env.GITHUB_REF_NAME ?? env.CI_COMMIT_REF_NAME ?? env.BRANCH_NAME ?? null;
  return (await ledger.recordRelease({ app, version: sha.slice(0, 12), sha, ...(flags.mergeSha ? { mergeSha: flags.mergeSha } : {}), branch })).release;
}

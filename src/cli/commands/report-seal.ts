/**
 * After the verdict, with `--server URL` (or SEAL_SERVER_URL): report the run to a seal server
 * instead of a local store, screenshots included. Never throws: a server that is down, slow or
 * refusing becomes a warning, within a bounded time, and the verdict stands.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ciSha, type ReleaseFlags } from '../../release/release-info.js';
import { withWarning, type RunResult } from '../../runner/run-result.js';
import { evidenceImagesOf } from '../../seal/evidence-files.js';

/** What reporting needs besides the run. */
export interface ReportContext {
  readonly server: string;
  /** SEAL_TOKEN: a write token of the server. */
  readonly token: string | null;
  /** Null when the config did not load: then only an app the server already knows is reported (a typo must not create one). */
  readonly rollbackTemplate: string | null;
  readonly flags: ReleaseFlags;
  readonly env: NodeJS.ProcessEnv;
  /** The whole report (every attempt, the screenshots) ends within this. */
  readonly budgetMs?: number;
}

/** The run as the server recorded it, and where the board shows it. */
export interface ReportOutcome {
  readonly result: RunResult;
  readonly boardUrl: string | null;
}

/** How long reporting may take by default (SEAL_SERVER_TIMEOUT_MS overrides). */
export const REPORT_BUDGET_MS = 15_000;

class ReportFailure extends Error {}

/** Reports the run; returns it with what the server added (release, rollback, warnings). */
export async function reportSeal(result: RunResult, context: ReportContext): Promise<ReportOutcome> {
  let base: URL;
  try {
    base = new URL(context.server.endsWith('/') ? context.server : `${context.server}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('not http(s)');
  } catch {
    return { result: withWarning(result, `the seal was not reported: --server ${JSON.stringify(context.server)} is not an http(s) URL`), boardUrl: null };
  }
  const deadline = Date.now() + (context.budgetMs ?? REPORT_BUDGET_MS);
  const where = `the seal server at ${base.origin}`;
  const headers: Record<string, string> = { 'user-agent': 'smoke-seal', ...(context.token ? { authorization: `Bearer ${context.token}` } : {}) };
  try {
    const version = await versionToReport(result, context, base, headers, deadline);
    if (!version) return { result: withWarning(result, `the seal was not reported to ${where}: it needs a release: pass --release, or run in CI (GITHUB_SHA, …)`), boardUrl: null };
    const { flags } = context;
    const body = JSON.stringify({
      ...result,
      release: { version, sha: result.release?.sha ?? null, merge_sha: result.release?.merge_sha ?? null, previous_version: result.release?.previous_version ?? null },
      rollback_template: context.rollbackTemplate,
      // Only what the command line said overwrites what the server recorded.
      release_flags: { sha: flags.sha ?? null, merge_sha: flags.mergeSha ?? null, previous_version: flags.previousVersion ?? null },
    });
    const path = `api/releases/${encodeURIComponent(result.app)}/${encodeURIComponent(version)}/seals`;
    const answer = (await send(new URL(path, base), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }, deadline)) as { result?: RunResult; url?: string };
    let final = mergeAnswer(result, answer.result);
    for (const image of evidenceImagesOf(result)) {
      try {
        const data = await readFile(image.path);
        await send(new URL(`api/runs/${result.run_id}/evidence/${encodeURIComponent(image.name)}`, base), { method: 'PUT', headers: { ...headers, 'content-type': image.name.endsWith('.png') ? 'image/png' : 'image/jpeg' }, body: data }, deadline);
      } catch (error) {
        final = withWarning(final, `screenshot ${image.name} was not sent to ${where}: ${(error as Error).message}`);
      }
    }
    return { result: final, boardUrl: answer.url ? new URL(answer.url.replace(/^\//, ''), base).href : null };
  } catch (error) {
    return { result: withWarning(result, `the seal was not reported to ${where}: ${(error as Error).message}`), boardUrl: null };
  }
}

/**
 * The run with what the server completed: the release, the rollback command and warnings. The
 * verdict, summary and checks stay this machine's: a server (or whoever sits on a plain-http
 * connection) cannot turn a red run green.
 */
function mergeAnswer(result: RunResult, answer: RunResult | undefined): RunResult {
  if (!answer || answer.run_id !== result.run_id) return result;
  const text = (value: unknown): value is string => typeof value === 'string';
  const release = answer.release && typeof answer.release === 'object' ? answer.release : result.release;
  return {
    ...result,
    release: release ? { version: text(release.version) ? release.version : null, sha: text(release.sha) ? release.sha : null, merge_sha: text(release.merge_sha) ? release.merge_sha : null, previous_version: text(release.previous_version) ? release.previous_version : null } : null,
    rollback: answer.rollback === null || text(answer.rollback) ? answer.rollback : result.rollback,
    warnings: Array.isArray(answer.warnings) ? answer.warnings.filter(text) : result.warnings,
  };
}

/** `--release`, else the server's latest release of the app, else the CI commit; null when none. */
async function versionToReport(result: RunResult, { flags, env, rollbackTemplate }: ReportContext, base: URL, headers: Record<string, string>, deadline: number): Promise<string | null> {
  if (flags.release && rollbackTemplate !== null) return flags.release;
  try {
    const page = (await send(new URL(`api/releases?app=${encodeURIComponent(result.app)}&limit=1`, base), { method: 'GET', headers }, deadline)) as { releases?: { version?: string }[] };
    const latest = page.releases?.[0]?.version;
    if (flags.release) return flags.release;
    if (latest) return latest;
  } catch (error) {
    // An app the server has never seen is a 404: its first release comes from the CI commit.
    if (!(error instanceof ReportFailure && error.message.startsWith('404'))) throw error;
    if (rollbackTemplate === null) throw new Error(`the config did not load and the server has no app ${result.app}`, { cause: error });
  }
  const sha = flags.sha ?? ciSha(env);
  return sha ? sha.slice(0, 12) : null;
}

/**
 * One request, retried on connection errors, 429 and 5xx while time is left (the server records
 * a run once per run_id, so a retry cannot double it). Returns the JSON answer; throws with the
 * server's own error message otherwise.
 */
async function send(url: URL, init: RequestInit, deadline: number): Promise<unknown> {
  let lastError: Error | null = null;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(left) });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's error page): the status says enough.
      }
      if (response.ok) return json;
      const reason = (json as { error?: unknown } | null)?.error;
      lastError = new ReportFailure(`${response.status} ${typeof reason === 'string' ? reason.slice(0, 500) : response.statusText}`);
      if (response.status !== 429 && response.status < 500) throw lastError;
    } catch (error) {
      if (error instanceof ReportFailure && !/^(429|5\d\d) /.test(error.message)) throw error;
      lastError = error instanceof ReportFailure ? error : new Error(describeFetchError(error, deadline));
    }
    const pause = Math.min(500 * 2 ** (attempt - 1), deadline - Date.now());
    if (attempt < 3 && pause > 0) await sleep(pause);
  }
  throw lastError ?? new Error('no time left to report');
}

function describeFetchError(error: unknown, deadline: number): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError' || Date.now() >= deadline) return 'no answer in time (SEAL_SERVER_TIMEOUT_MS)';
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ? `${(error as Error).message}: ${cause.message}` : (error as Error).message;
}

/**
 * After the verdict, with `--server URL` (or SEAL_SERVER_URL): report the run to a seal server
 * instead of a local store, screenshots included. Never throws: a server that is down, slow or
 * refusing becomes a warning, within a bounded time, and the verdict stands.
 */
import { readFile } from 'node:fs/promises';
import { DeliveryError, exchange } from '../../notify/http.js';
import { ciSha, type ReleaseFlags } from '../../release/release-info.js';
import { withWarning, type ReleaseInfo, type RunResult } from '../../runner/run-result.js';
import { completeRun } from '../../seal/record.js';
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
  /** Called once the server's view of the release is known (before the run is sent): the run as the server will likely record it. */
  readonly announce?: (run: RunResult) => void;
}

/** The run as the server recorded it, and where the board shows it. */
export interface ReportOutcome {
  readonly result: RunResult;
  readonly boardUrl: string | null;
  /**
   * `reported`: the server has it; `refused`: the server answered it will not take it (a 4xx:
   * sending it again would not change that); `unreached`: no answer, 5xx or out of time, worth
   * sending again later.
   */
  readonly outcome: 'reported' | 'refused' | 'unreached';
}

/** How long reporting may take by default (SEAL_SERVER_TIMEOUT_MS overrides). */
export const REPORT_BUDGET_MS = 15_000;

/** What went wrong, without the server's name (the warning names it once). */
function problemOf(error: unknown, budgetMs?: number): string {
  const problem = error instanceof DeliveryError ? error.problem : (error as Error).message;
  return budgetMs !== undefined && /^no (answer in time|time left)/.test(problem) ? `${problem}; reporting may take ${budgetMs} ms in all (SEAL_SERVER_TIMEOUT_MS)` : problem;
}

/** The server answered, and not with success. */
class ReportFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Reports the run; returns it with what the server added (release, rollback, warnings). */
export async function reportSeal(result: RunResult, context: ReportContext): Promise<ReportOutcome> {
  let base: URL;
  try {
    base = new URL(context.server.endsWith('/') ? context.server : `${context.server}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('not http(s)');
  } catch {
    return { result: withWarning(result, `the seal was not reported: --server ${JSON.stringify(context.server)} is not an http(s) URL`), boardUrl: null, outcome: 'refused' };
  }
  const deadline = Date.now() + (context.budgetMs ?? REPORT_BUDGET_MS);
  const where = `the seal server at ${base.origin}`;
  const headers: Record<string, string> = { 'user-agent': 'smoke-seal', ...(context.token ? { authorization: `Bearer ${context.token}` } : {}) };
  try {
    const { version, known } = await releaseToReport(result, context, base, headers, deadline, where);
    context.announce?.(completeRun(result, known, { rollbackTemplate: context.rollbackTemplate, flags: context.flags, redact: (text) => text }));
    if (!version) return { result: withWarning(result, `the seal was not reported to ${where}: it needs a release: pass --release, or run in CI (GITHUB_SHA, …)`), boardUrl: null, outcome: 'refused' };
    const { flags } = context;
    const body = JSON.stringify({
      ...result,
      release: { version, sha: result.release?.sha ?? null, merge_sha: result.release?.merge_sha ?? null, previous_version: result.release?.previous_version ?? null },
      rollback_template: context.rollbackTemplate,
      // Only what the command line said overwrites what the server recorded.
      release_flags: { sha: flags.sha ?? null, merge_sha: flags.mergeSha ?? null, previous_version: flags.previousVersion ?? null },
    });
    const path = `api/releases/${encodeURIComponent(result.app)}/${encodeURIComponent(version)}/seals`;
    const answer = (await send(new URL(path, base), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }, deadline, where)) as { result?: RunResult; url?: string };
    let final = mergeAnswer(result, answer.result);
    for (const image of evidenceImagesOf(result)) {
      try {
        const data = await readFile(image.path);
        await send(new URL(`api/runs/${result.run_id}/evidence/${encodeURIComponent(image.name)}`, base), { method: 'PUT', headers: { ...headers, 'content-type': image.name.endsWith('.png') ? 'image/png' : 'image/jpeg' }, body: data }, deadline, where);
      } catch (error) {
        final = withWarning(final, `screenshot ${image.name} was not sent to ${where}: ${problemOf(error)}`);
      }
    }
    return { result: final, boardUrl: answer.url ? new URL(answer.url.replace(/^\//, ''), base).href : null, outcome: 'reported' };
  } catch (error) {
    const refused = error instanceof ReportFailure && error.status >= 400 && error.status < 500 && error.status !== 429;
    return { result: withWarning(result, `the seal was not reported to ${where}: ${problemOf(error, context.budgetMs ?? REPORT_BUDGET_MS)}`), boardUrl: null, outcome: refused ? 'refused' : 'unreached' };
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
    // A server with no template for the app renders none: the reporter keeps its own.
    rollback: text(answer.rollback) ? answer.rollback : result.rollback,
    warnings: Array.isArray(answer.warnings) ? answer.warnings.filter(text) : result.warnings,
  };
}

/**
 * The release to report on: `--release`, else the server's latest release of the app, else the
 * CI commit (null when none); with what the server's ledger says of it, as far as its latest
 * release tells (for the verdict printed before the run is sent).
 */
async function releaseToReport(result: RunResult, { flags, env, rollbackTemplate }: ReportContext, base: URL, headers: Record<string, string>, deadline: number, where: string): Promise<{ version: string | null; known: ReleaseInfo | null }> {
  let latest: ReleaseInfo | null = null;
  try {
    const page = (await send(new URL(`api/releases?app=${encodeURIComponent(result.app)}&limit=1`, base), { method: 'GET', headers }, deadline, where)) as { releases?: unknown[] };
    latest = releaseInfoOf(page.releases?.[0]);
  } catch (error) {
    // An app the server has never seen is a 404: its first release comes from the CI commit.
    if (!(error instanceof ReportFailure && error.status === 404)) throw error;
    if (rollbackTemplate === null) throw new Error(`the config did not load and the server has no app ${result.app}`, { cause: error });
  }
  const own = { sha: flags.sha ?? result.release?.sha ?? null, merge_sha: flags.mergeSha ?? result.release?.merge_sha ?? null };
  if (flags.release) return { version: flags.release, known: latest?.version === flags.release ? latest : { version: flags.release, ...own, previous_version: latest?.version ?? null } };
  if (latest?.version) return { version: latest.version, known: latest };
  const sha = flags.sha ?? ciSha(env);
  return sha ? { version: sha.slice(0, 12), known: { version: sha.slice(0, 12), sha, merge_sha: own.merge_sha, previous_version: null } } : { version: null, known: null };
}

/** A release from the server's answer, its text fields only (the answer is not trusted further). */
function releaseInfoOf(value: unknown): ReleaseInfo | null {
  if (!value || typeof value !== 'object') return null;
  const release = value as Record<string, unknown>;
  const text = (field: string): string | null => (typeof release[field] === 'string' ? release[field] : null);
  return text('version') === null ? null : { version: text('version'), sha: text('sha'), merge_sha: text('merge_sha'), previous_version: text('previous_version') };
}

/**
 * One request to the server, retried on connection errors, 429 and 5xx while time is left (the
 * server records a run once per run_id, so a retry cannot double it). Returns the JSON answer;
 * throws with the server's own error message otherwise.
 */
async function send(url: URL, init: RequestInit, deadline: number, where: string): Promise<unknown> {
  const { answer } = await exchange(url.href, init, { deadline, maxAttempts: 3, describe: where });
  if (answer.status >= 200 && answer.status < 300) return answer.json;
  const reason = (answer.json as { error?: unknown } | null)?.error;
  throw new ReportFailure(`${answer.status} ${typeof reason === 'string' ? reason.slice(0, 500) : answer.text.slice(0, 200)}`, answer.status);
}

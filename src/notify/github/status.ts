/**
 * GitHub commit statuses: with `github.commit_status: true`, every current seal sets the status
 * `smoke-seal/<app>` on the release's commit (success, failure or error; the summary as its
 * description; the release page as its link), where pull requests and branch protection see it.
 */
import type { Verdict } from '../../runner/run-result.js';
import type { GithubConfig } from '../config.js';
import { exchange } from '../http.js';
import { oneLine, type SealMessage } from '../message.js';
import type { DeliveryOutcome } from '../types.js';
import { explainGithub, githubHeaders } from './sync.js';

/** GitHub refuses a longer description (422). */
export const STATUS_DESCRIPTION_LIMIT = 140;

const STATE: Record<Verdict, 'success' | 'failure' | 'error'> = { green: 'success', red: 'failure', error: 'error' };

/** The status's context: one per app, so each app's seal is its own line on the commit. */
export function statusContext(app: string): string {
  return `smoke-seal/${app}`;
}

/** Sets the commit status of the seal on `sha`. */
export async function setCommitStatus(config: GithubConfig, message: SealMessage, deadline: number): Promise<DeliveryOutcome> {
  const sha = message.sha;
  if (!sha) return { status: 'skipped', detail: 'no commit status: the release has no sha (seal smoke --sha, or the CI system\'s commit)', attempts: 0 };
  if (!/^[0-9a-f]{7,64}$/i.test(sha)) return { status: 'failed', detail: `no commit status: ${JSON.stringify(sha.slice(0, 80))} is not a commit sha`, attempts: 0 };
  const api = (config.api_url ?? 'https://api.github.com').replace(/\/+$/, '');
  const body = {
    state: STATE[message.verdict],
    context: statusContext(message.app),
    description: oneLine(`${message.verdict}: ${message.summary}`, STATUS_DESCRIPTION_LIMIT),
    ...(message.boardUrl ? { target_url: message.boardUrl } : {}),
  };
  const sent = await exchange(
    `${api}/repos/${config.repo}/statuses/${sha}`,
    { method: 'POST', headers: { ...githubHeaders(config), 'content-type': 'application/json' }, body: JSON.stringify(body) },
    { deadline, describe: 'GitHub' },
  );
  if (sent.answer.status !== 201) return { status: 'failed', detail: explainGithub(sent.answer, 'set commit statuses'), attempts: sent.attempts };
  return { status: 'delivered', detail: `commit status ${body.context} ${body.state} on ${sha.slice(0, 12)}`, attempts: sent.attempts };
}

/**
 * GitHub Releases: the release of the sealed version gets the same seal block in its body,
 * replaced on re-seal, the rest of the body untouched, within GitHub's 125,000 characters
 * (the block shrinks, with a link to the board, to fit).
 */
import { renderSealBlock, upsertSealBlock } from '../../seal/notes-block.js';
import type { GithubConfig } from '../config.js';
import { exchange, type Answer } from '../http.js';
import type { SealMessage } from '../message.js';
import type { DeliveryOutcome } from '../types.js';

/** GitHub's limit on a release body. */
export const GITHUB_BODY_LIMIT = 125_000;

/** Headers of every GitHub API call. */
export function githubHeaders(config: GithubConfig): Record<string, string> {
  return { authorization: `Bearer ${config.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'smoke-seal' };
}

/** What a GitHub answer that is not the one hoped for means, in a sentence. */
export function explainGithub(answer: Answer, what = 'write releases'): string {
  const message = (answer.json as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : answer.text.slice(0, 200);
  if (answer.status === 401) return `GitHub answered 401 ${text}: check the token`;
  if (answer.status === 403 && answer.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(answer.headers.get('x-ratelimit-reset'));
    return `GitHub's rate limit is used up${Number.isFinite(reset) ? ` until ${new Date(reset * 1000).toISOString()}` : ''}`;
  }
  if (answer.status === 403) return `GitHub answered 403 ${text}: the token may not ${what} of this repository`;
  return `GitHub answered ${answer.status} ${text}`;
}

/** The body with the seal block, fitted to GitHub's limit. */
export function fitReleaseBody(body: string | null, message: SealMessage): string {
  const rest = upsertSealBlock(body, '').length;
  return upsertSealBlock(body, renderSealBlock(message, { maxChars: Math.max(0, GITHUB_BODY_LIMIT - rest - 2) }));
}

/** Updates the GitHub release tagged `version`. */
export async function syncGithubRelease(config: GithubConfig, version: string, message: SealMessage, deadline: number): Promise<DeliveryOutcome> {
  const api = (config.api_url ?? 'https://api.github.com').replace(/\/+$/, '');
  const headers = githubHeaders(config);
  const found = await exchange(`${api}/repos/${config.repo}/releases/tags/${encodeURIComponent(version)}`, { method: 'GET', headers }, { deadline, describe: 'GitHub' });
  let attempts = found.attempts;
  if (found.answer.status === 404) return { status: 'failed', detail: `no GitHub release tagged ${version} in ${config.repo}`, attempts };
  if (found.answer.status !== 200) return { status: 'failed', detail: explainGithub(found.answer), attempts };
  const release = found.answer.json as { id?: unknown; body?: unknown };
  if (typeof release.id !== 'number') return { status: 'failed', detail: 'GitHub answered without a release id', attempts };
  const body = typeof release.body === 'string' ? release.body : null;
  const next = fitReleaseBody(body, message);
  if (next.length > GITHUB_BODY_LIMIT) return { status: 'failed', detail: `release ${version}'s body is too long (${body?.length ?? 0} characters) to add even a short seal block within GitHub's ${GITHUB_BODY_LIMIT}`, attempts };
  if (next === body) return { status: 'unchanged', detail: `release ${version} already carries this seal`, attempts };
  const updated = await exchange(`${api}/repos/${config.repo}/releases/${release.id}`, { method: 'PATCH', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ body: next }) }, { deadline, describe: 'GitHub' });
  attempts += updated.attempts;
  if (updated.answer.status !== 200) return { status: 'failed', detail: explainGithub(updated.answer), attempts };
  return { status: 'delivered', detail: `updated the body of release ${version} (${next.length} characters)`, attempts };
}

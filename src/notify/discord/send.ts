/**
 * Discord over its execute-webhook API: `?wait=true` so the message id comes back and a re-seal
 * with the same verdict edits that message; a new verdict is a new post (a red one may ping).
 * 429s wait for `retry_after`; a webhook that answers 404 is reported gone and not used again.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiscordConfig } from '../config.js';
import { exchange, type Answer } from '../http.js';
import type { SealMessage } from '../message.js';
import type { Notifier } from '../types.js';
import { buildDiscordPayload } from './payload.js';

/** Discord's error codes we act on. */
const UNKNOWN_MESSAGE = 10008;
const UNKNOWN_WEBHOOK = 10015;

/**
 * When each webhook's rate-limit bucket refills, from Discord's headers (`X-RateLimit-Remaining:
 * 0` with `X-RateLimit-Reset-After`): a process telling Discord of many seals waits for the
 * bucket instead of collecting 429s.
 */
const bucketResets = new Map<string, number>();

function noteBucket(target: string, answer: Answer): void {
  const remaining = answer.headers.get('x-ratelimit-remaining');
  const resetAfter = Number(answer.headers.get('x-ratelimit-reset-after'));
  if (remaining === '0' && Number.isFinite(resetAfter) && resetAfter > 0) bucketResets.set(target, Date.now() + resetAfter * 1000);
  else if (remaining !== null) bucketResets.delete(target);
}

async function waitForBucket(target: string, deadline: number): Promise<void> {
  const reset = bucketResets.get(target);
  if (!reset) return;
  const wait = reset - Date.now();
  // A bucket that refills after the deadline is tried anyway: the 429 then says so.
  if (wait > 0 && Date.now() + wait < deadline) await sleep(wait);
}

/** `thread_name` with {app} and {version} filled in. */
export function threadNameOf(template: string, message: SealMessage): string {
  return template.replaceAll('{app}', message.app).replaceAll('{version}', message.version ?? 'unreleased');
}

function explain(answer: Answer): string {
  const body = answer.json as { message?: unknown; code?: unknown; errors?: unknown } | null;
  const what = typeof body?.message === 'string' ? body.message : answer.text.slice(0, 300);
  const errors = body?.errors ? ` ${JSON.stringify(body.errors).slice(0, 300)}` : '';
  return `Discord answered ${answer.status}: ${what}${errors}`;
}

/** Creates the notifier. */
export function createDiscordNotifier(config: DiscordConfig): Notifier {
  const base = config.webhook_url.replace(/\/+$/, '').replace(/\?.*$/, '');
  const target = createHash('sha256').update(`discord ${base} ${config.thread_id ?? ''} ${config.thread_name ?? ''}`).digest('hex').slice(0, 32);
  const headers = { 'content-type': 'application/json', 'user-agent': 'smoke-seal' };
  return {
    target,
    async deliver(message, { previous, deadline }) {
      const threadId = previous?.threadId ?? config.thread_id ?? null;
      const query = (extra: Record<string, string>) => {
        const params = new URLSearchParams({ ...extra, ...(threadId ? { thread_id: threadId } : {}) }).toString();
        return params ? `?${params}` : '';
      };
      let attempts = 0;
      if (previous?.messageId && previous.verdict === message.verdict) {
        const payload = buildDiscordPayload(message, config, { ping: false });
        await waitForBucket(target, deadline);
        const { answer, attempts: tries } = await exchange(`${base}/messages/${previous.messageId}${query({})}`, { method: 'PATCH', headers, body: JSON.stringify(payload) }, { deadline, describe: 'Discord' });
        attempts += tries;
        noteBucket(target, answer);
        if (answer.status >= 200 && answer.status < 300) {
          return { status: 'delivered', detail: `edited message ${previous.messageId}`, attempts, state: { ...previous, verdict: message.verdict } };
        }
        const code = (answer.json as { code?: unknown } | null)?.code;
        if (answer.status === 404 && code !== UNKNOWN_MESSAGE) return { status: 'failed', detail: `${explain(answer)}: the webhook was deleted; it is not used again until its URL changes`, attempts, gone: true };
        if (answer.status !== 404) return { status: 'failed', detail: explain(answer), attempts };
        // The message was deleted: post a new one.
      }
      const threadName = !threadId && config.thread_name ? threadNameOf(config.thread_name, message) : null;
      const payload = buildDiscordPayload(message, config, { ping: true, threadName });
      await waitForBucket(target, deadline);
      const { answer, attempts: tries } = await exchange(`${base}${query({ wait: 'true' })}`, { method: 'POST', headers, body: JSON.stringify(payload) }, { deadline, describe: 'Discord' });
      attempts += tries;
      noteBucket(target, answer);
      if (answer.status >= 200 && answer.status < 300) {
        const posted = answer.json as { id?: unknown; channel_id?: unknown } | null;
        const messageId = typeof posted?.id === 'string' ? posted.id : null;
        const newThread = threadName && typeof posted?.channel_id === 'string' ? posted.channel_id : null;
        return { status: 'delivered', detail: messageId ? `posted message ${messageId}` : 'posted', attempts, state: { messageId, threadId: threadId ?? newThread, verdict: message.verdict } };
      }
      const code = (answer.json as { code?: unknown } | null)?.code;
      if (answer.status === 404 || code === UNKNOWN_WEBHOOK) return { status: 'failed', detail: `${explain(answer)}: the webhook was deleted; it is not used again until its URL changes`, attempts, gone: true };
      if (answer.status === 401 || answer.status === 403) return { status: 'failed', detail: `${explain(answer)}: check the webhook URL's token`, attempts };
      return { status: 'failed', detail: explain(answer), attempts };
    },
  };
}


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
import { oneAtATime, type Queues } from '../one-at-a-time.js';
import { buildDiscordPayload } from './payload.js';

/** Discord's error codes we act on. */
const UNKNOWN_MESSAGE = 10008;
const UNKNOWN_CHANNEL = 10003;

/**
 * When each webhook's rate-limit bucket refills, from Discord's headers (`X-RateLimit-Remaining:
 * 0` with `X-RateLimit-Reset-After`): a process telling Discord of many seals waits for the
 * bucket instead of collecting 429s.
 */
const bucketResets = new Map<string, number>();
/** Requests to each webhook, one at a time in this process. */
const requests: Queues = new Map();

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

/** What a 404 from Discord means: the webhook gone, the message deleted, or the thread gone. */
function notFound(answer: Answer): 'webhook' | 'message' | 'thread' {
  const code = (answer.json as { code?: unknown } | null)?.code;
  if (code === UNKNOWN_MESSAGE) return 'message';
  if (code === UNKNOWN_CHANNEL) return 'thread';
  // Unknown Webhook (10015), or a 404 that is not Discord's JSON at all.
  return 'webhook';
}

/** Creates the notifier. */
export function createDiscordNotifier(config: DiscordConfig): Notifier {
  const parsed = new URL(config.webhook_url);
  // A thread given in the URL (…?thread_id=123) counts like thread_id.
  const urlThread = parsed.searchParams.get('thread_id');
  const base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  const configThread = config.thread_id ?? urlThread ?? null;
  const target = createHash('sha256').update(`discord ${base} ${configThread ?? ''} ${config.thread_name ?? ''}`).digest('hex').slice(0, 32);
  const headers = { 'content-type': 'application/json', 'user-agent': 'smoke-seal' };
  const goneDetail = (answer: Answer) => `${explain(answer)}: the webhook was deleted; it is not used again until its URL changes (or seal notify tries it again)`;
  return {
    target,
    // Requests to one webhook go one at a time in this process, after its bucket refills.
    deliver: (message, input) => oneAtATime(requests, base, async () => {
      const { previous, deadline } = input;
      const threadId = previous?.threadId ?? configThread;
      const query = (extra: Record<string, string>) => {
        const params = new URLSearchParams({ ...extra, ...(threadId ? { thread_id: threadId } : {}) }).toString();
        return params ? `?${params}` : '';
      };
      let attempts = 0;
      if (previous?.messageId && previous.verdict === message.verdict) {
        const payload = buildDiscordPayload(message, config, { ping: false });
        await waitForBucket(base, deadline);
        const { answer, attempts: tries } = await exchange(`${base}/messages/${previous.messageId}${query({})}`, { method: 'PATCH', headers, body: JSON.stringify(payload) }, { deadline, describe: 'Discord' });
        attempts += tries;
        noteBucket(base, answer);
        if (answer.status >= 200 && answer.status < 300) {
          return { status: 'delivered', detail: `edited message ${previous.messageId}`, attempts, state: { ...previous, verdict: message.verdict } };
        }
        if (answer.status !== 404) return { status: 'failed', detail: explain(answer), attempts };
        const what = notFound(answer);
        if (what === 'webhook') return { status: 'failed', detail: goneDetail(answer), attempts, gone: true };
        if (what === 'thread') return { status: 'failed', detail: `${explain(answer)}: the thread is gone; the next seal starts afresh`, attempts, state: { messageId: null, threadId: null, verdict: message.verdict } };
        // The message was deleted: post a new one.
      }
      const threadName = !threadId && config.thread_name ? threadNameOf(config.thread_name, message) : null;
      const payload = buildDiscordPayload(message, config, { ping: true, threadName });
      await waitForBucket(base, deadline);
      // A post is not sent twice: a second one would be a second message and a second ping.
      const { answer, attempts: tries } = await exchange(`${base}${query({ wait: 'true' })}`, { method: 'POST', headers, body: JSON.stringify(payload) }, { deadline, describe: 'Discord', idempotent: false });
      attempts += tries;
      noteBucket(base, answer);
      if (answer.status >= 200 && answer.status < 300) {
        const posted = answer.json as { id?: unknown; channel_id?: unknown } | null;
        const messageId = typeof posted?.id === 'string' ? posted.id : null;
        const newThread = threadName && typeof posted?.channel_id === 'string' ? posted.channel_id : null;
        return { status: 'delivered', detail: messageId ? `posted message ${messageId}` : 'posted', attempts, state: { messageId, threadId: threadId ?? newThread, verdict: message.verdict } };
      }
      if (answer.status === 404) {
        const what = notFound(answer);
        if (what === 'thread') return { status: 'failed', detail: `${explain(answer)}: the thread ${threadId ?? ''} does not exist (check thread_id)`, attempts, state: { messageId: null, threadId: null, verdict: message.verdict } };
        return { status: 'failed', detail: goneDetail(answer), attempts, gone: true };
      }
      if (answer.status === 401 || answer.status === 403) return { status: 'failed', detail: `${explain(answer)}: check the webhook URL's token`, attempts };
      return { status: 'failed', detail: explain(answer), attempts };
    }),
  };
}

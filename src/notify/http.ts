/**
 * One HTTP exchange with a service (a notifier's, or the seal server a run is reported to),
 * bounded by its deadline: retried on connection errors and 5xx
 * with backoff, and on 429 after the wait the service asks for (`retry_after`, `Retry-After`),
 * but only while that wait fits in the time left. Anything else is handed back as it came.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readCapped } from '../checks/http/read-body.js';
import { timeLimit } from '../time-limit.js';

/**
 * The most of an answer that is read: services answer small JSON or text, and the seal server
 * echoes a run result (at most 4 MiB). A longer answer stops downloading at the cap, whatever it
 * sends: a service answering a gigabyte costs this much memory, not a gigabyte.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** A response, read up to MAX_ANSWER_BYTES. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON, or null when it is not (or was cut at the cap). */
  readonly json: unknown;
  /** True when the body was longer than the cap: `text` is its start, and the rest was not downloaded. */
  readonly truncated?: boolean;
}

/** Why a delivery gave up. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    /** Who was asked ("Discord", "the seal server at …"): the message starts with it. */
    readonly service: string,
    /** What went wrong, without the service's name. */
    readonly problem: string,
    readonly attempts: number,
    readonly answer: Answer | null = null,
  ) {
    super(`${service}: ${problem}`);
  }
}

/** How long a 429 asks us to wait, in ms (Discord: JSON `retry_after` in seconds; others: `Retry-After`). */
export function retryAfterMs(answer: Answer): number | null {
  const fromBody = (answer.json as { retry_after?: unknown } | null)?.retry_after;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody * 1000);
  const header = answer.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Sends `init` to `url` until it gets a final answer or the deadline (epoch ms) leaves no room. */
export async function exchange(url: string, init: RequestInit, { deadline, maxAttempts = 4, describe, idempotent = true, maxAnswerBytes = MAX_ANSWER_BYTES }: { deadline: number; maxAttempts?: number; describe: string; idempotent?: boolean; maxAnswerBytes?: number }): Promise<{ answer: Answer; attempts: number }> {
  let lastProblem = 'no attempt was made';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new DeliveryError(describe, `no time left (${lastProblem})`, attempt - 1);
    let answer: Answer;
    // Aborted once the cap is reached, so the connection is torn down rather than drained. The
    // time limit is not AbortSignal.any + AbortSignal.timeout: on Node 20 a garbage collection
    // loses that timeout, and a service that never answers held the seal for minutes.
    const enough = new AbortController();
    const limit = timeLimit(left, enough.signal);
    try {
      const response = await fetch(url, { ...init, redirect: 'manual', signal: limit.signal });
      const body = response.body ? await readCapped(response.body, maxAnswerBytes) : { bytes: Buffer.alloc(0), truncated: false };
      if (body.truncated) enough.abort();
      const text = new TextDecoder().decode(body.bytes);
      let json: unknown = null;
      try {
        if (!body.truncated) json = JSON.parse(text);
      } catch {
        // Not JSON: the text and status say what happened.
      }
      answer = { status: response.status, headers: response.headers, text, json, ...(body.truncated ? { truncated: true } : {}) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      lastProblem = (error as Error).name === 'TimeoutError'
        ? 'no answer in time'
        : cause?.code
          ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}`
          : `${(error as Error).message}${cause?.message ? `: ${cause.message}` : ''}`;
      // A post that may have arrived is not sent twice (it would be a second message, a second
      // ping); a connection that never opened is safe to try again.
      const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(cause?.code ?? '');
      if (!idempotent && !neverSent) throw new DeliveryError(describe, `${lastProblem} (not sent again: it may have arrived)`, attempt);
      if (attempt < maxAttempts) await pause(500 * 2 ** (attempt - 1), deadline);
      continue;
    } finally {
      limit.dispose();
    }
    if (answer.status === 429) {
      const wait = retryAfterMs(answer) ?? 1000;
      lastProblem = `rate limited (429, retry after ${(wait / 1000).toFixed(1)} s)`;
      if (Date.now() + wait >= deadline || attempt === maxAttempts) throw new DeliveryError(describe, `${lastProblem}, longer than the time left for this delivery`, attempt, answer);
      await sleep(wait);
      continue;
    }
    if (answer.status >= 500) {
      lastProblem = `${answer.status} ${answer.text.slice(0, 200)}`;
      if (!idempotent) throw new DeliveryError(describe, `${lastProblem} (not sent again: it may have arrived)`, attempt, answer);
      if (attempt < maxAttempts) await pause(500 * 2 ** (attempt - 1), deadline);
      continue;
    }
    return { answer, attempts: attempt };
  }
  throw new DeliveryError(describe, `${lastProblem}`, maxAttempts);
}

async function pause(ms: number, deadline: number): Promise<void> {
  const wait = Math.min(ms, deadline - Date.now());
  if (wait > 0) await sleep(wait);
}

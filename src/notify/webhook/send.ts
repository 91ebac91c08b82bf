/**
 * A JSON POST of the run result to any URL, signed: `X-Seal-Signature: sha256=<hex>` is the
 * HMAC-SHA256 of the exact body bytes with the configured secret; `X-Seal-Timestamp` (Unix
 * seconds) lets receivers refuse old deliveries and `X-Seal-Delivery` (the run id) repeated ones.
 * Every seal is sent (machines want every event); retried with backoff on 5xx, 429 and
 * connection errors within the delivery's time.
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebhookConfig } from '../config.js';
import { exchange } from '../http.js';
import type { Notifier } from '../types.js';

/** `sha256=<hex>` of `body` under `secret`: what receivers recompute and compare. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Creates the notifier. */
export function createWebhookNotifier(config: WebhookConfig, now: () => number = Date.now): Notifier {
  const target = createHash('sha256').update(`webhook ${config.url}`).digest('hex').slice(0, 32);
  return {
    target,
    async deliver(message, { deadline, runJson }) {
      const body = Buffer.from(runJson);
      const timestamp = String(Math.floor(now() / 1000));
      const headers = {
        ...config.headers,
        'content-type': 'application/json',
        'user-agent': 'smoke-seal',
        'x-seal-signature': signBody(body, config.secret),
        'x-seal-timestamp': timestamp,
        // The timestamp signed with the body: a captured delivery cannot be replayed with a fresh time.
        'x-seal-signature-timestamped': signBody(Buffer.concat([Buffer.from(`${timestamp}.`), body]), config.secret),
        'x-seal-delivery': message.runId,
        'x-seal-event': 'seal',
      };
      const { answer, attempts } = await exchange(config.url, { method: 'POST', headers, body }, { deadline, describe: 'webhook' });
      if (answer.status >= 200 && answer.status < 300) return { status: 'delivered', detail: `answered ${answer.status}`, attempts };
      const gone = answer.status === 404 || answer.status === 410;
      return { status: 'failed', detail: `the webhook answered ${answer.status}: ${answer.text.slice(0, 300)}`, attempts, gone };
    },
  };
}

/**
 * Slack over an incoming webhook. It cannot edit a post, so a re-seal with the same verdict says
 * nothing new (`unchanged`); a new verdict is a new post. Slack's error answers (400
 * invalid_payload, 403 action_prohibited, 404 no_service, 410 channel_is_archived) are reported
 * as what they mean; 404 and 410 mean the webhook is gone.
 */
import { createHash } from 'node:crypto';
import type { SlackConfig } from '../config.js';
import { exchange } from '../http.js';
import type { Notifier } from '../types.js';
import { buildSlackPayload } from './payload.js';

const MEANING: Record<string, string> = {
  invalid_payload: 'the message was malformed or too large',
  action_prohibited: 'an admin has restricted posting to this channel',
  no_service: 'the webhook is disabled, removed or invalid',
  no_team: 'the Slack workspace no longer exists',
  channel_is_archived: 'the channel is archived',
  channel_not_found: 'the channel no longer exists',
};

/** Creates the notifier. */
export function createSlackNotifier(config: SlackConfig): Notifier {
  const target = createHash('sha256').update(`slack ${config.webhook_url}`).digest('hex').slice(0, 32);
  return {
    target,
    async deliver(message, { previous, deadline }) {
      if (previous && previous.verdict === message.verdict) {
        return { status: 'unchanged', detail: `already posted ${message.verdict} for this release (Slack webhooks cannot edit)`, attempts: 0 };
      }
      const payload = buildSlackPayload(message, config, { ping: true });
      const { answer, attempts } = await exchange(config.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'smoke-seal' }, body: JSON.stringify(payload) }, { deadline, describe: 'Slack', idempotent: false });
      if (answer.status >= 200 && answer.status < 300) return { status: 'delivered', detail: 'posted', attempts, state: { messageId: null, threadId: null, verdict: message.verdict } };
      const code = answer.text.trim().slice(0, 100);
      const detail = `Slack answered ${answer.status} ${code}${MEANING[code] ? `: ${MEANING[code]}` : ''}`;
      const gone = answer.status === 404 || answer.status === 410;
      return { status: 'failed', detail: gone ? `${detail}; it is not used again until its URL changes` : detail, attempts, gone };
    },
  };
}

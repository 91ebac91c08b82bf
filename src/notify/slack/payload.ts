/**
 * The Slack message for a seal: Block Kit blocks and a plain-text fallback. Production text is
 * escaped (&, <, >), so it can never form a mention or a link; only `mention_on_red` pings.
 * Pure: tested on its own.
 */
import type { SlackConfig } from '../config.js';
import { cut, VERDICT_LABEL, type SealMessage } from '../message.js';

/** Slack's limits we stay within. */
export const SLACK_LIMITS = { blocks: 50, header: 150, sectionText: 3000, text: 3000 } as const;

/** Text from production in Slack's mrkdwn: its three control characters escaped. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The body of an incoming-webhook POST. */
export interface SlackPayload {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** The message; `ping`: a red post may mention `mention_on_red`. */
export function buildSlackPayload(message: SealMessage, config: Pick<SlackConfig, 'mention_on_red'>, { ping }: { ping: boolean }): SlackPayload {
  const release = `${message.app}${message.version ? ` ${message.version}` : ''}`;
  const mention = ping && message.verdict === 'red' && config.mention_on_red ? `${config.mention_on_red} ` : '';
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SLACK_LIMITS.sectionText) } });
  const lines = message.checks.map((c) => `${c.ok ? '✅' : '❌'} *${escapeSlack(cut(c.name, 100))}*: ${escapeSlack(cut(c.detail, 200))}`);
  const failedFirst = [...lines.filter((_, i) => !message.checks[i]?.ok), ...lines.filter((_, i) => message.checks[i]?.ok)];
  const kept: string[] = [];
  let used = 0;
  for (const line of failedFirst) {
    if (used + line.length + 60 > SLACK_LIMITS.sectionText) break;
    kept.push(line);
    used += line.length + 1;
  }
  const more = failedFirst.length - kept.length;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${VERDICT_LABEL[message.verdict]} · ${release}`, SLACK_LIMITS.header), emoji: true } },
    section(`${mention}${escapeSlack(cut(message.summary, 1500))}`),
    ...(kept.length ? [section(`${kept.join('\n')}${more > 0 ? `\n… and ${more} more` : ''}`)] : []),
  ];
  if (message.verdict === 'red') {
    blocks.push(section(message.rollback ? `*Roll back* (you decide; smoke-seal never runs it):\n\`\`\`${escapeSlack(message.rollback)}\`\`\`` : `*Roll back:* ${escapeSlack(message.rollbackMissing ?? 'the rollback command is incomplete')}`));
  }
  const context = [
    ...(message.sha ? [`commit \`${escapeSlack(message.sha.slice(0, 12))}\``] : []),
    ...(message.blockedWrites ? [`${message.blockedWrites} write${message.blockedWrites === 1 ? '' : 's'} blocked`] : []),
    ...(message.boardUrl ? [`<${message.boardUrl}|evidence on the board>`] : []),
    `run ${message.runId}`,
  ];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  const text = cut(`${mention}${VERDICT_LABEL[message.verdict]} · ${escapeSlack(release)}: ${escapeSlack(message.summary)}${message.verdict === 'red' && message.rollback ? ` · roll back: ${escapeSlack(message.rollback)}` : ''}`, SLACK_LIMITS.text);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

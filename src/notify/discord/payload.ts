/**
 * The Discord message for a seal: one embed (verdict colour, app, version, commit, one ✅/❌
 * line per check with its assertion label, the rollback command on red, a link to the board),
 * inside Discord's limits, with `allowed_mentions` that let only `mention_on_red` ping.
 * Pure: tested on its own; send.ts only posts.
 */
import type { DiscordConfig } from '../config.js';
import { cut, VERDICT_LABEL, type SealMessage } from '../message.js';

/** Discord's documented limits. */
export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, embedTotal: 6000 } as const;

const COLOURS = { green: 0x2da44e, red: 0xcf222e, error: 0x6e7781 } as const;

/** An embed, as much of it as we use. */
export interface DiscordEmbed {
  readonly title: string;
  readonly url?: string;
  readonly color: number;
  readonly description: string;
  readonly fields: readonly { readonly name: string; readonly value: string; readonly inline?: boolean }[];
  readonly footer: { readonly text: string };
  readonly timestamp: string;
}

/** The body of an execute-webhook or edit-message request. */
export interface DiscordPayload {
  readonly content: string;
  readonly embeds: readonly DiscordEmbed[];
  readonly allowed_mentions: { readonly parse: readonly string[]; readonly roles?: readonly string[]; readonly users?: readonly string[] };
  readonly username?: string;
  readonly thread_name?: string;
}

/** Production text in Discord markdown: formatting and masked links shown as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|>[\]()#:-]/g, (c) => `\\${c}`);
}

/** Characters Discord counts towards an embed's 6,000. */
export function embedLength(embed: DiscordEmbed): number {
  return embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
}

/** Role and user ids of a `mention_on_red` ("<@&456> <@123>"). */
export function mentionIds(mention: string): { roles: string[]; users: string[] } {
  const roles = [...mention.matchAll(/<@&(\d+)>/g)].map((m) => m[1] as string);
  const users = [...mention.matchAll(/<@(\d+)>/g)].map((m) => m[1] as string);
  return { roles, users };
}

/** The message. `ping`: this post may ping `mention_on_red` (a new red post; never an edit). */
export function buildDiscordPayload(message: SealMessage, config: Pick<DiscordConfig, 'mention_on_red' | 'username' | 'thread_name'>, { ping, threadName }: { ping: boolean; threadName?: string | null }): DiscordPayload {
  const release = `${message.app}${message.version ? ` ${message.version}` : ''}`;
  const mention = ping && message.verdict === 'red' && config.mention_on_red ? config.mention_on_red : null;
  const ids = mention ? mentionIds(mention) : { roles: [], users: [] };
  const fields = [
    ...(message.sha ? [{ name: 'Commit', value: cut(`\`${message.sha.replaceAll('`', '')}\``, DISCORD_LIMITS.fieldValue), inline: true }] : []),
    { name: 'Checks', value: `${message.checks.filter((c) => c.ok).length}/${message.checks.length} passed`, inline: true },
    ...(message.blockedWrites > 0 ? [{ name: 'Blocked writes', value: String(message.blockedWrites), inline: true }] : []),
  ].slice(0, DISCORD_LIMITS.fields);
  const footer = { text: `smoke-seal · run ${message.runId}` };
  const title = cut(`${VERDICT_LABEL[message.verdict]} · ${release}`, DISCORD_LIMITS.title);
  const fixed = title.length + footer.text.length + fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const description = describe(message, Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedTotal - fixed));
  const embed: DiscordEmbed = {
    title,
    ...(message.boardUrl ? { url: message.boardUrl } : {}),
    color: COLOURS[message.verdict],
    description,
    fields,
    footer,
    timestamp: new Date(message.checkedAt).toISOString(),
  };
  return {
    // Our own words only: production text lives in the embed, which never pings anyway.
    content: mention ? cut(`${mention} ${escapeMarkdown(release)} is red: ${message.boardUrl ?? 'see the seal below'}`, DISCORD_LIMITS.content) : '',
    embeds: [embed],
    allowed_mentions: mention ? { parse: [], ...(ids.roles.length ? { roles: ids.roles } : {}), ...(ids.users.length ? { users: ids.users } : {}) } : { parse: [] },
    ...(config.username ? { username: config.username } : {}),
    ...(threadName ? { thread_name: cut(threadName, 100) } : {}),
  };
}

/** Summary, check lines, rollback: within `max` characters, checks dropped from the end first. */
function describe(message: SealMessage, max: number): string {
  const summary = escapeMarkdown(cut(message.summary, 600));
  const rollback = message.verdict !== 'red'
    ? ''
    : message.rollback
      ? `\n\n**Roll back** (you decide; smoke-seal never runs it):\n${message.rollback.includes('```') ? escapeMarkdown(message.rollback) : `\`\`\`\n${message.rollback}\n\`\`\``}`
      : `\n\n**Roll back:** ${escapeMarkdown(message.rollbackMissing ?? 'the rollback command is incomplete')}`;
  const link = message.boardUrl ? `\n[Evidence on the board](${message.boardUrl})` : '';
  const lines = message.checks.map((c) => `${c.ok ? '✅' : '❌'} **${escapeMarkdown(cut(c.name, 100))}**: ${escapeMarkdown(cut(c.detail, 200))}`);
  // Failed checks first: they are what the reader needs if the list is cut.
  const ordered = [...lines.filter((_, i) => !message.checks[i]?.ok), ...lines.filter((_, i) => message.checks[i]?.ok)];
  const room = max - summary.length - rollback.length - link.length - 60;
  const kept: string[] = [];
  let used = 0;
  for (const line of ordered) {
    if (used + line.length + 1 > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  const more = ordered.length - kept.length;
  const list = `${kept.join('\n')}${more > 0 ? `\n… and ${more} more check${more === 1 ? '' : 's'}${message.boardUrl ? ' on the board' : ''}` : ''}`;
  return cut(`${summary}\n\n${list}${rollback}${link}`, max);
}

/** The Discord message, built purely: limits, mentions, escaping, the rollback command. */
import { describe, expect, it } from 'vitest';
import { redMessage } from '../../../test/helpers/seal-messages.js';
import { buildSealMessage } from '../message.js';
import { runResult } from '../../../test/helpers/run-results.js';
import { buildDiscordPayload, DISCORD_LIMITS, embedLength, escapeMarkdown } from './payload.js';

const config = { mention_on_red: '<@&456>' };

describe('the Discord payload', () => {
  it('a red seal: red embed with the verdict, one line per check with its label, the rollback command, a link, and a ping for the role only', () => {
    const payload = buildDiscordPayload(redMessage(), config, { ping: true });
    const [embed] = payload.embeds;
    expect(embed?.color).toBe(0xcf222e);
    expect(embed?.title).toBe('🔴 red · studio v3.3.0');
    expect(embed?.url).toBe('https://seal.example.com/releases/studio/v3.3.0');
    expect(embed?.description).toContain('❌ **devops hidden**: status 200, expected 404');
    // The guard's part first: a write it blocked is on the check's own line.
    expect(embed?.description).toContain('✅ **up**: 1 write blocked · status == 200');
    expect(embed?.description).toContain('```\ngit revert -m 1 cafe123\n```');
    expect(embed?.fields).toContainEqual({ name: 'Commit', value: '`abc1234`', inline: true });
    expect(embed?.fields).toContainEqual({ name: 'Blocked writes', value: '1', inline: true });
    expect(payload.content).toBe('<@&456> studio v3.3.0 is red: https://seal.example.com/releases/studio/v3.3.0');
    expect(payload.allowed_mentions).toEqual({ parse: [], roles: ['456'] });
  });

  it('an edit, a green seal or no mention_on_red pings nobody', () => {
    expect(buildDiscordPayload(redMessage(), config, { ping: false })).toMatchObject({ content: '', allowed_mentions: { parse: [] } });
    const green = buildSealMessage(runResult('studio', { release: { version: 'v1', sha: null, merge_sha: null } }), null);
    const payload = buildDiscordPayload(green, config, { ping: true });
    expect(payload).toMatchObject({ content: '', allowed_mentions: { parse: [] } });
    expect(payload.embeds[0]?.color).toBe(0x2da44e);
    expect(payload.embeds[0]?.description).not.toContain('Roll back');
    expect(buildDiscordPayload(redMessage(), {}, { ping: true }).allowed_mentions).toEqual({ parse: [] });
  });

  it('text from production cannot ping or format: @everyone, mentions and markdown stay text in the embed', () => {
    const hostile = '@everyone <@&999> [click](https://evil.example) **bold** `code`';
    const payload = buildDiscordPayload(redMessage({ summary: hostile }), config, { ping: true });
    expect(payload.content).not.toContain('@everyone');
    expect(payload.content).not.toContain('999');
    expect(payload.allowed_mentions.parse).toEqual([]);
    expect(payload.embeds[0]?.description).toContain('\\[click\\]\\(https\\://evil.example\\)');
    expect(escapeMarkdown('a*b_c')).toBe('a\\*b\\_c');
  });

  it('stays within Discord\'s limits with hundreds of long checks, failed ones kept first, the rest counted', () => {
    const message = redMessage({ summary: 's'.repeat(5000) }, 400);
    const payload = buildDiscordPayload(message, { ...config, username: 'smoke-seal' }, { ping: true });
    const [embed] = payload.embeds;
    expect(embed).toBeDefined();
    if (!embed) return;
    expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(payload.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(embed.description.indexOf('devops hidden')).toBeLessThan(embed.description.indexOf('extra check'));
    expect(embed.description).toMatch(/… and \d+ more checks on the board/);
    expect(embed.description).toContain('git revert -m 1 cafe123');
  });

  it('a red seal whose rollback command is incomplete says what is missing', () => {
    const message = redMessage({ rollback: null, warnings: ['the rollback command needs {merge_sha}: pass --merge-sha'] });
    expect(buildDiscordPayload(message, config, { ping: true }).embeds[0]?.description).toContain('**Roll back:** the rollback command needs {merge\\_sha}\\: pass \\-\\-merge\\-sha');
  });
});

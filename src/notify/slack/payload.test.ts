/** The Slack message, built purely: blocks, fallback text, escaping, mentions, limits. */
import { describe, expect, it } from 'vitest';
import { redMessage } from '../../../test/helpers/seal-messages.js';
import { buildSlackPayload, escapeSlack, SLACK_LIMITS } from './payload.js';

describe('the Slack payload', () => {
  it('a red seal: header, summary with the group mention, check lines, rollback, context link, and a plain-text fallback', () => {
    const payload = buildSlackPayload(redMessage(), { mention_on_red: '<!subteam^SAZ94GDB8>' }, { ping: true });
    const texts = payload.blocks.map((b) => JSON.stringify(b));
    expect(texts[0]).toContain('🔴 red · studio v3.3.0');
    expect(texts[1]).toContain('<!subteam^SAZ94GDB8> 1/2 passed');
    expect(texts.join('\n')).toContain('❌ *devops hidden*: status 200, expected 404');
    expect(texts.join('\n')).toContain('✅ *up*: 1 write blocked · status == 200');
    expect(texts.join('\n')).toContain('git revert -m 1 cafe123');
    expect(texts.at(-1)).toContain('<https://seal.example.com/releases/studio/v3.3.0|evidence on the board>');
    expect(payload.text).toMatch(/^<!subteam\^SAZ94GDB8> 🔴 red · studio v3\.3\.0: 1\/2 passed.* · roll back: git revert -m 1 cafe123$/);
  });

  it('text from production cannot mention anyone or make links: <!channel>, <@U…> and <url|text> are escaped', () => {
    const payload = buildSlackPayload(redMessage({ summary: '<!channel> <@U12345> <https://evil.example|click> & more' }), {}, { ping: true });
    const all = JSON.stringify(payload);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U12345>');
    expect(all).toContain('&lt;!channel&gt; &lt;@U12345&gt; &lt;https://evil.example|click&gt; &amp; more');
    expect(escapeSlack('a<b>&')).toBe('a&lt;b&gt;&amp;');
    const version = buildSlackPayload(redMessage({ release: { version: '<!channel> <https://evil|roll back now>', sha: null, merge_sha: null } }), {}, { ping: true });
    expect(version.text).not.toContain('<!channel>');
    expect(version.text).not.toContain('<https://evil');
  });

  it('stays within Slack\'s limits with hundreds of long checks', () => {
    const payload = buildSlackPayload(redMessage({ summary: 's'.repeat(9000) }, 400), {}, { ping: true });
    expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(payload.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    for (const block of payload.blocks as { type: string; text?: { text: string } }[]) {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(block.type === 'header' ? SLACK_LIMITS.header : SLACK_LIMITS.sectionText);
    }
    expect(JSON.stringify(payload.blocks)).toMatch(/… and \d+ more/);
  });
});

/** The seal block in the release notes: replaced, never duplicated, the rest byte for byte. */
import { describe, expect, it } from 'vitest';
import { redMessage } from '../../test/helpers/seal-messages.js';
import { buildSealMessage } from '../notify/message.js';
import { runResult } from '../../test/helpers/run-results.js';
import { escapeNotesText, NOTES_END, NOTES_START, renderSealBlock, upsertSealBlock } from './notes-block.js';

const NOTES = '# v3.3.0\r\n\r\n- faster uploads\n- *fixed* the thing   \n\ttabbed line\n';

describe('the release notes seal block', () => {
  it('a red block: verdict, release, time, link, summary, checks and the rollback command', () => {
    const block = renderSealBlock(redMessage());
    expect(block.startsWith(`${NOTES_START}\n### 🔴 red seal\n**studio v3.3.0** · checked `)).toBe(true);
    expect(block).toContain('[evidence on the board](https://seal.example.com/releases/studio/v3.3.0)');
    expect(block).toContain('- ❌ **devops hidden**: status 200, expected 404');
    expect(block).toContain('- ✅ **up**: 1 write blocked · status == 200');
    expect(block).toContain('```sh\ngit revert -m 1 cafe123\n```');
    expect(block.endsWith(NOTES_END)).toBe(true);
  });

  it('is appended once, then replaced by every re-seal: one block after many, the rest of the notes byte for byte', () => {
    let notes = upsertSealBlock(NOTES, renderSealBlock(redMessage()));
    expect(notes.startsWith(NOTES)).toBe(true);
    for (let i = 0; i < 25; i++) {
      const verdict = i % 2 === 0 ? 'green' : 'red';
      notes = upsertSealBlock(notes, renderSealBlock(buildSealMessage(runResult('studio', { verdict, release: { version: 'v3.3.0', sha: null, merge_sha: null } }), null)));
    }
    expect(notes.split(NOTES_START)).toHaveLength(2);
    expect(notes.split(NOTES_END)).toHaveLength(2);
    const [before, after] = [notes.slice(0, notes.indexOf(NOTES_START)), notes.slice(notes.indexOf(NOTES_END) + NOTES_END.length)];
    expect(before).toBe(`${NOTES}\n`);
    expect(after).toBe('\n');
  });

  it('keeps text around a block in the middle of the notes, and removes extra blocks left by hand', () => {
    const middle = `intro\n${NOTES_START}\nold\n${NOTES_END}\noutro\n${NOTES_START}\nx\n${NOTES_END}\ntail`;
    const updated = upsertSealBlock(middle, 'NEW');
    expect(updated).toBe('intro\nNEW\noutro\n\ntail');
    expect(upsertSealBlock(null, 'NEW')).toBe('NEW');
  });

  it('a marker someone quotes in their notes, or a lone start marker, is text: nothing of theirs is eaten', () => {
    const quoted = `We add \`${NOTES_START}\` blocks.\n${NOTES_START}\nImportant user text\n`;
    let notes = upsertSealBlock(quoted, renderSealBlock(redMessage()));
    for (let i = 0; i < 3; i++) notes = upsertSealBlock(notes, renderSealBlock(redMessage()));
    expect(notes.startsWith(quoted)).toBe(true);
    expect(notes).toContain('Important user text');
    expect(notes.split('### 🔴 red seal')).toHaveLength(2);
  });

  it('a rollback command holding a marker or a code fence cannot end the block early', () => {
    const sneaky = redMessage({ rollback: `deploy ${NOTES_END} \`\`\` tail` });
    let notes = upsertSealBlock('# notes\n', renderSealBlock(sneaky));
    notes = upsertSealBlock(notes, renderSealBlock(redMessage()));
    expect(notes).toBe(`# notes\n\n${renderSealBlock(redMessage())}\n`);
  });

  it('production text cannot close the block, add HTML, links or images', () => {
    const hostile = `${NOTES_END} <script>x</script> ![track](https://evil.example/p.png) [a](b)`;
    const block = renderSealBlock(redMessage({ summary: hostile }));
    expect(block.split(NOTES_END)).toHaveLength(2);
    expect(block).not.toContain('<script>');
    expect(block).not.toContain('![track]');
    expect(escapeNotesText('a\nb')).toBe('a b');
  });

  it('shrinks to fit a size limit, failed checks first, saying how many more are on the board', () => {
    const block = renderSealBlock(redMessage({}, 500), { maxChars: 3000 });
    expect(block.length).toBeLessThanOrEqual(3000);
    expect(block).toContain('devops hidden');
    expect(block).toMatch(/- … \d+ more checks on the board/);
    expect(renderSealBlock(redMessage(), { maxChars: 120 }).length).toBeLessThanOrEqual(200);
  });
});

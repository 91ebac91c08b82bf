/**
 * The seal block in a release's notes, between `<!-- smoke-seal:start -->` and
 * `<!-- smoke-seal:end -->`. A re-seal replaces the block; it is never duplicated, and every
 * byte of the notes outside it stays as it was. Pure.
 */
import { VERDICT_LABEL, type SealMessage } from '../notify/message.js';

export const NOTES_START = '<!-- smoke-seal:start -->';
export const NOTES_END = '<!-- smoke-seal:end -->';

/** Production text in Markdown: no HTML, no comment markers, no links or images, no formatting. */
export function escapeNotesText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[\\`*_[\]()!#|~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/**
 * The block for a seal. `maxChars` bounds it (GitHub's release body is limited): check lines go
 * first, then the summary, and a cut block says where the rest is.
 */
export function renderSealBlock(message: SealMessage, { maxChars = 20_000 }: { maxChars?: number } = {}): string {
  const release = `${escapeNotesText(message.app)}${message.version ? ` ${escapeNotesText(message.version)}` : ''}`;
  const link = message.boardUrl ? ` · [evidence on the board](${message.boardUrl})` : '';
  const head = `### ${VERDICT_LABEL[message.verdict]} seal\n**${release}** · checked ${message.checkedAt.slice(0, 16).replace('T', ' ')} UTC${link}\n`;
  const summary = `\n${escapeNotesText(message.summary)}\n`;
  const rollback = message.verdict !== 'red'
    ? ''
    : message.rollback && !/```|<!--|-->/.test(message.rollback)
      ? `\n**Roll back** (you decide; smoke-seal never runs it):\n\n\`\`\`sh\n${message.rollback}\n\`\`\`\n`
      : `\n**Roll back:** ${escapeNotesText(message.rollback ?? message.rollbackMissing ?? 'the rollback command is incomplete')}\n`;
  const lines = message.checks.map((c) => `- ${c.ok ? '✅' : '❌'} **${escapeNotesText(c.name)}**: ${escapeNotesText(c.detail)}`);
  const failedFirst = [...lines.filter((_, i) => !message.checks[i]?.ok), ...lines.filter((_, i) => message.checks[i]?.ok)];
  const wrap = (inner: string) => `${NOTES_START}\n${inner}${NOTES_END}`;
  const fixed = wrap(`${head}${summary}\n${rollback}`).length;
  const kept: string[] = [];
  let used = fixed;
  for (const line of failedFirst) {
    if (used + line.length + 80 > maxChars) break;
    kept.push(line);
    used += line.length + 1;
  }
  const more = failedFirst.length - kept.length;
  const list = kept.length || more ? `\n${kept.join('\n')}${more ? `${kept.length ? '\n' : ''}- … ${more} more check${more === 1 ? '' : 's'}${message.boardUrl ? ' on the board' : ''}` : ''}\n` : '';
  const block = wrap(`${head}${summary}${list}${rollback}`);
  if (block.length <= maxChars) return block;
  // Even the summary and rollback do not fit: the verdict and where to read the rest.
  const minimal = wrap(head);
  return minimal.length <= maxChars ? minimal : wrap(`### ${VERDICT_LABEL[message.verdict]} seal\n`);
}

/** Where the markers stand on lines of their own: a marker quoted inside a line is text. */
function markerLines(text: string, marker: string): number[] {
  const at: number[] = [];
  for (let from = text.indexOf(marker); from >= 0; from = text.indexOf(marker, from + marker.length)) {
    const startsLine = from === 0 || text[from - 1] === '\n';
    const next = text[from + marker.length];
    const endsLine = next === undefined || next === '\n' || (next === '\r' && text[from + marker.length + 1] === '\n');
    if (startsLine && endsLine) at.push(from);
  }
  return at;
}

/**
 * The notes with `block` in place of the previous seal block (extra ones removed), or appended.
 * A block is a start marker and the first end marker after it with no other start between, each
 * on a line of its own: a marker someone quotes in their notes, or a lone one, is left alone.
 */
export function upsertSealBlock(notes: string | null, block: string): string {
  const text = notes ?? '';
  const starts = markerLines(text, NOTES_START);
  const ends = markerLines(text, NOTES_END);
  const blocks: [number, number][] = [];
  for (const [index, start] of starts.entries()) {
    const end = ends.find((e) => e > start);
    const nextStart = starts[index + 1];
    if (end === undefined || (nextStart !== undefined && nextStart < end)) continue;
    if (blocks.length > 0 && start < (blocks.at(-1)?.[1] ?? 0)) continue;
    blocks.push([start, end + NOTES_END.length]);
  }
  if (blocks.length === 0) {
    if (text === '') return block;
    return `${text}${text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${block}\n`;
  }
  // The first block is replaced; any later one (left by hand or by an old bug) goes.
  let out = '';
  let at = 0;
  blocks.forEach(([start, end], index) => {
    out += text.slice(at, start) + (index === 0 ? block : '');
    at = end;
  });
  return out + text.slice(at);
}

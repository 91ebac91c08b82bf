/**
 * Terminal columns: how wide text is drawn (emoji and East Asian wide characters take two
 * columns, marks none) and tables padded by that, so that they stay aligned whatever a cell holds.
 * Used by the run's summary table and by the listing commands.
 */

/** Code points a terminal draws two columns wide: emoji presentation and East Asian wide ranges. */
const WIDE = /[\p{Extended_Pictographic}\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;
/** Code points that take no column: combining marks, variation selectors, zero-width joiners. */
const ZERO = /\p{Mn}|\p{Me}|[\u200B-\u200F]|[\uFE00-\uFE0F]/u;

/** Columns `text` takes on a terminal (emoji and wide characters two, marks none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (ZERO.test(char)) continue;
    // Pictographs below U+2000 (©, ®, digits in keycaps) are drawn one column wide as text.
    width += WIDE.test(char) && (char.codePointAt(0) ?? 0) >= 0x2000 ? 2 : 1;
  }
  return width;
}

/** Pads to `width` terminal columns. */
export function padTo(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** A table: a header row and rows, columns two spaces apart, no trailing spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[] = []): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]): string => cells.map((c, i) => padTo(c, widths[i] ?? 0, align[i] ?? 'left')).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

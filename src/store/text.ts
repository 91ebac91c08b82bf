/** Text as Postgres (and PGlite) can store it: the one rule every table's writer shares. */

/** Half of a UTF-16 surrogate pair on its own (an emoji cut in two by an excerpt's limit). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Postgres text and jsonb cannot hold NUL or a lone surrogate; production data can: both become U+FFFD. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}
